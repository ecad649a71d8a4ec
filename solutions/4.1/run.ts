// Chapter 4.1 — `run` gives the container the busybox image as its root. Compared with
// 3.3: make sure the image exists (built from a static busybox on first use) and tell
// init where its rootfs is.
//
// Note: the container writes straight into the image's files here, so a file created
// in one container is still there in the next. Chapter 4.2 fixes that with layers.

import { ensureImage } from '../../src/runtime/image.ts';
import { withContainer } from '../../src/runtime/leftovers.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { runContainer } from '../3.3/run.ts';

export async function run(opts: RunOptions): Promise<number> {
  const rootfs = await ensureImage(stateRoot(), 'busybox');
  return withContainer(newContainerId(), (id) =>
    runContainer(id, opts, { command: opts.command, hostname: id, rootfs }),
  );
}
