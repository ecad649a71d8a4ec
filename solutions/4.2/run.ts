// Chapter 4.2 — `run` gives each container a write layer over the image. Compared with
// 4.1: make the workspace before the container starts and remove it after it ends, so
// the image is never changed and nothing of the container stays on disk.

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { runContainer } from '../3.3/run.ts';
import type { ContainerConfig } from './init.ts';
import { createWorkspace, removeWorkspace } from './workspace.ts';

export async function run(opts: RunOptions): Promise<number> {
  const lower = await ensureImage(stateRoot(), 'busybox');
  return withContainer(newContainerId(), async (id) => {
    const workspace = createWorkspace(id, lower);
    try {
      const config: ContainerConfig = { command: opts.command, hostname: id, workspace };
      return await runContainer(id, opts, config);
    } finally {
      removeWorkspace(workspace);
    }
  });
}
