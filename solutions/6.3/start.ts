// Chapter 6.3 — 5.1's startContainer with a network: an address is taken for the
// container (and kept in its state, for `ps`), init's namespace is connected before the
// command runs, and when the container ends — normally, by `stop` or `rm -f`, or because
// its start failed — the endpoint is undone and the address given back.

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { createWorkspace } from '../4.2/workspace.ts';
import { prepareHostPaths } from '../4.3/volumes.ts';
import { removeWorkspaceUnlessKept, type StartSpec } from '../5.1/start.ts';
import { updateState } from '../5.2/state.ts';
import type { RunOptions } from './cli.ts';
import { runContainer } from './container.ts';
import { allocateEndpoint, connect, disconnect, reclaimStale, type Endpoint, type NetworkState } from './endpoint.ts';
import type { ContainerConfig } from './init.ts';

export async function startContainer(id: string, opts: RunOptions, spec: StartSpec = {}): Promise<number> {
  const lower = await ensureImage(stateRoot(), spec.image ?? 'busybox');
  prepareHostPaths(opts.volumes);
  return withContainer(id, async () => {
    let code: number | undefined;
    let endpoint: Endpoint | undefined;
    const workspace = createWorkspace(id, lower);
    try {
      if (opts.net) {
        // exercise: give back what killed runtimes held, take an address, and record it in the state
        reclaimStale();
        endpoint = allocateEndpoint(id, opts.net);
        updateState<NetworkState>(id, { network: endpoint.network, ip: endpoint.ip });
        // end exercise
      }
      const config: ContainerConfig = {
        command: opts.command,
        hostname: id,
        workspace,
        volumes: opts.volumes,
        env: opts.env,
        ip: endpoint?.ip,
      };
      const ep = endpoint;
      code = await runContainer(id, opts, config, spec.started, ep && ((pid) => connect(ep, pid)), spec.output);
      return code;
    } finally {
      spec.ended?.(code);
      // exercise: undo the endpoint (the address goes back to the pool)
      if (endpoint) disconnect(endpoint);
      // end exercise
      removeWorkspaceUnlessKept(workspace);
    }
  });
}
