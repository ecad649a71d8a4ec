// Chapter 3.3 — the parent hands the container its configuration through a pipe.
//
// Why not on init's command line, as 3.1 did? Two reasons. Arguments on a command
// line are visible to everyone in `ps`, and the book joined them with spaces, losing
// arguments that contain spaces. More importantly, init *waits* on the pipe: the
// parent writes only after it has put init into its cgroup, so the user's command
// can never run outside its limits (the race chapter 3.2 left open).
//
// The child gets the read end as fd 3 (Node's stdio[3]); the message is JSON, and the
// parent closing its end marks the end of it.

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { RuntimeError } from '../../src/runtime/errors.ts';

/** The fd on which init finds the pipe. */
export const CONFIG_FD = 3;

/** Parent: write the configuration and close the pipe, which lets init go on. */
export function sendConfig(child: ChildProcess, config: unknown): Promise<void> {
  // exercise: write the configuration as JSON to the child's fd 3 and close it
  const pipe = child.stdio[CONFIG_FD] as Writable;
  return new Promise((resolve, reject) => {
    pipe.once('error', (err) => reject(new RuntimeError(`sending the configuration to init: ${err.message}`)));
    pipe.end(JSON.stringify(config), () => resolve());
  });
  // end exercise
}

/** Child: block until the parent has written everything and closed its end, then parse it. */
export function readConfig<T>(fd = CONFIG_FD): T {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  // exercise: read fd 3 to the end (a synchronous read blocks until the parent writes)
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf);
    } catch (err) {
      // The socket Node gives us may be non-blocking: wait a moment and read again.
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw err;
    }
    if (n === 0) break; // end of file: the parent closed the pipe
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  fs.closeSync(fd);
  // end exercise
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) throw new RuntimeError('init: the runtime closed the pipe without sending a configuration');
  return JSON.parse(text) as T;
}
