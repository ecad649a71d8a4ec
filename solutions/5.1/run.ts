// Chapter 5.1 — `run` with or without -d. In the foreground the CLI itself is the
// container's parent, as before; with -d a monitor is (detach.ts) and the CLI prints
// the id and returns.

import { newContainerId } from '../3.2/container-id.ts';
import type { RunOptions } from './cli.ts';
import { runDetached } from './detach.ts';
import { startContainer } from './start.ts';

export async function run(opts: RunOptions): Promise<number> {
  if (!opts.detach) return startContainer(newContainerId(), opts);
  console.log(await runDetached(opts));
  return 0;
}
