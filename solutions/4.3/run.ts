// Chapter 4.3 — `run` with volumes. Compared with 4.2: create the volumes' missing host
// directories, and pass the volumes to init. Removing the workspace afterwards is safe
// for the volumes' data: their mounts existed only in the container's namespace.

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { runContainer } from '../3.3/run.ts';
import { createWorkspace, removeWorkspace } from '../4.2/workspace.ts';
import type { RunOptions } from './cli.ts';
import type { ContainerConfig } from './init.ts';
import { prepareHostPaths } from './volumes.ts';

export async function run(opts: RunOptions): Promise<number> {
  const lower = await ensureImage(stateRoot(), 'busybox');
  prepareHostPaths(opts.volumes);
  return withContainer(newContainerId(), async (id) => {
    const workspace = createWorkspace(id, lower);
    try {
      const config: ContainerConfig = { command: opts.command, hostname: id, workspace, volumes: opts.volumes };
      return await runContainer(id, opts, config);
    } finally {
      removeWorkspace(workspace);
    }
  });
}
