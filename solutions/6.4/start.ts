// Chapter 6.4 — 6.3's startContainer with published ports: the host ports are claimed
// before the container starts (a port already published fails the run, exit 125), the
// DNAT rules are added once the container has its address — still before its command
// runs — and rules and claims go when it ends, with its address.

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { createWorkspace } from '../4.2/workspace.ts';
import { prepareHostPaths } from '../4.3/volumes.ts';
import { removeWorkspaceUnlessKept, type StartSpec } from '../5.1/start.ts';
import { updateState } from '../5.2/state.ts';
import { findNetwork } from '../6.2/network.ts';
import { runContainer } from '../6.3/container.ts';
import {
  allocateEndpoint,
  connect,
  disconnect,
  reclaimStale,
  type Endpoint,
  type NetworkState,
} from '../6.3/endpoint.ts';
import type { ContainerConfig } from '../6.3/init.ts';
import type { RunOptions } from './cli.ts';
import { claimPorts, hairpin, publish, reclaimPorts, unpublish } from './ports.ts';

export async function startContainer(id: string, opts: RunOptions, spec: StartSpec = {}): Promise<number> {
  const lower = await ensureImage(stateRoot(), spec.image ?? 'busybox');
  prepareHostPaths(opts.volumes);
  return withContainer(id, async () => {
    let code: number | undefined;
    let endpoint: Endpoint | undefined;
    const workspace = createWorkspace(id, lower);
    try {
      if (opts.net) {
        reclaimStale();
        reclaimPorts();
        // exercise: claim the host ports first (a taken port fails the run early), then take an address; record both
        claimPorts(id, opts.ports);
        endpoint = allocateEndpoint(id, opts.net);
        updateState<NetworkState & { ports: RunOptions['ports'] }>(id, {
          network: endpoint.network,
          ip: endpoint.ip,
          ports: opts.ports,
        });
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
      const attach = (pid: number) => {
        connect(ep!, pid, hairpin(ep!.hostIf, opts.ports));
        // exercise: add the DNAT rules for the container's published ports
        publish(id, findNetwork(ep!.network), ep!.ip, opts.ports);
        // end exercise
      };
      code = await runContainer(id, opts, config, spec.started, ep && attach, spec.output);
      return code;
    } finally {
      spec.ended?.(code);
      if (opts.net) {
        // exercise: remove the container's rules and port claims
        unpublish(id, opts.ports, endpoint);
        // end exercise
      }
      if (endpoint) disconnect(endpoint);
      removeWorkspaceUnlessKept(workspace);
    }
  });
}
