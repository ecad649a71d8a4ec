// Chapter 5.9 — 5.1's startContainer, starting the container through this chapter's
// runContainer (a terminal of its own with -t). Nothing else changes.
//
// base: ../5.1/start.ts

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { createWorkspace } from '../4.2/workspace.ts';
import type { RunOptions } from '../4.3/cli.ts';
import type { ContainerConfig } from '../4.3/init.ts';
import { prepareHostPaths } from '../4.3/volumes.ts';
import { removeWorkspaceUnlessKept, type StartSpec } from '../5.1/start.ts';
import { runContainer } from './container.ts';

export async function startContainer<C extends object>(
  id: string,
  opts: RunOptions,
  spec: StartSpec<C> = {},
): Promise<number> {
  const lower = await ensureImage(stateRoot(), spec.image ?? 'busybox');
  prepareHostPaths(opts.volumes);
  return withContainer(id, async () => {
    let code: number | undefined;
    const workspace = createWorkspace(id, lower);
    try {
      const config = {
        command: opts.command,
        hostname: id,
        workspace,
        volumes: opts.volumes,
        ...spec.config,
      } satisfies ContainerConfig;
      code = await runContainer(id, opts, config, spec.started, spec.output);
      return code;
    } finally {
      spec.ended?.(code);
      removeWorkspaceUnlessKept(workspace);
    }
  });
}
