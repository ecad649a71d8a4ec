// Chapter 5.1 — a detached container's log, written by its monitor alone.
//
// The container's stdout and stderr are two pipes (man 7 pipe) whose read ends the
// monitor holds; it appends whatever arrives on either to containers/<id>/container.log,
// in the order it arrives, so the log reads as a terminal would have shown it. Before it
// appends a piece that came from stdout it notes where that piece goes in a small index,
// container.log.stdout ("OFFSET LENGTH" lines): everything else in the log came from
// stderr — the container's own, and what the runtime itself said there (an OOM kill, a
// warning), which goes straight into the log on the monitor's own stderr. `logs --stdout`
// and `logs --stderr` (chapter 5.3) read the two apart with the index.
//
// Why pipes and not the file itself as fds 1 and 2: two fds on one file cannot tell the
// kernel's writes apart, so the streams would be lost for good. The price is that the
// order *between* the two streams is the order the monitor reads them in: writes to
// stdout and stderr closer together than the monitor can read (microseconds) may come
// out grouped by stream — as in Docker, whose log is copied from two pipes the same way.
// Within each stream the order is always kept. The command sees a pipe on fds 1 and 2,
// as under Docker.
//
// The monitor reads until both pipes are at end of file — when every process of the
// container has gone — so nothing written at the end is lost, and it does so before it
// records the end (the state's "exited", 5.2), so `logs -f` stops only once all is there.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { ConnectOpts, SocketConstructorOpts } from 'node:net';
import path from 'node:path';
import { containerDir } from '../../src/runtime/state.ts';
import { pipe } from '../../src/runtime/sys.ts';

/** The index of the log's pieces that came from the container's stdout. */
export const STDOUT_INDEX_FILE = 'container.log.stdout';

export function stdoutIndexPath(id: string, root?: string): string {
  return path.join(containerDir(id, root), STDOUT_INDEX_FILE);
}

/** Where init's stdout and stderr go instead of the runtime's own (a detached container's log). */
export interface InitOutput {
  /** The fds init gets as its stdout and stderr. */
  stdout: number;
  stderr: number;
  /** init has been started (or will not be): the runtime's copies of those fds go. */
  spawned(): void;
  /** Resolves once everything the container wrote is in the log (both pipes at end of file). */
  drained(): Promise<void>;
}

function writeAll(fd: number, data: Buffer | string): void {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.length) buf = buf.subarray(fs.writeSync(fd, buf));
}

/** Open the log and its index for appending, and make the two pipes that feed them. */
export function logWriter(logFile: string, indexFile: string): InitOutput {
  const log = fs.openSync(logFile, 'a', 0o640);
  const index = fs.openSync(indexFile, 'a', 0o640);
  const [outRead, outWrite] = pipe();
  const [errRead, errWrite] = pipe();

  // node:net (a Socket reads a pipe without holding a thread) is loaded here, in the
  // monitor of a detached container, not at the top: every start of the stage, the
  // runtime's and init's, would load it (src/workshop/bundle.test.ts, docs/performance.md).
  const net = createRequire(import.meta.url)('node:net') as typeof import('node:net');
  const copy = (fd: number, fromStdout: boolean) =>
    new Promise<void>((resolve) => {
      // One buffer per pipe, read into again and again (`onread`): a stream's 'data' would
      // hand over a new 64 KB buffer for every read, and a container that writes fast
      // makes the monitor's malloc heap grow by tens of MB that it keeps for good
      // (docs/performance.md, "Memory").
      // (Node takes `onread` in the constructor; @types/node 20 lists it for connect() only.)
      const buffer = Buffer.alloc(64 * 1024);
      const options: SocketConstructorOpts & ConnectOpts = {
        fd,
        readable: true,
        writable: false,
        onread: {
          buffer,
          callback: (n) => {
            // The index first: a reader that sees these bytes in the log finds them indexed.
            if (fromStdout) writeAll(index, `${fs.fstatSync(log).size} ${n}\n`);
            writeAll(log, buffer.subarray(0, n));
            return true; // go on reading
          },
        },
      };
      const stream = new net.Socket(options);
      stream.once('close', () => resolve());
      stream.once('error', () => undefined); // 'close' follows
    });
  const done = Promise.all([copy(outRead, true), copy(errRead, false)]).then(() => {
    fs.closeSync(log);
    fs.closeSync(index);
  });

  let open = true;
  return {
    stdout: outWrite,
    stderr: errWrite,
    spawned() {
      if (!open) return;
      open = false;
      fs.closeSync(outWrite);
      fs.closeSync(errWrite);
    },
    drained: () => done,
  };
}
