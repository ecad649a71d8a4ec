// Chapter 3.1 — `run`, the parent's side: start init in new namespaces, wait for it,
// and exit the way the container did.

import { log } from '../../src/runtime/log.ts';
import type { RunOptions } from './cli.ts';
import { spawnInit } from './namespaces.ts';
import { waitForExit } from './wait.ts';

export async function run(opts: RunOptions): Promise<number> {
  // Without -i or -t the container gets no stdin (like docker run); output always passes through.
  const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
  const child = spawnInit(['--', ...opts.command], [stdin, 'inherit', 'inherit']);
  log.debug(`run: container init is pid ${child.pid} on the host`);
  return waitForExit(child);
}
