// Chapter 5.1 — did the command start? A detached run must answer that before it prints
// an id: `run -d nosuchcommand` fails at once with 127 (126 for a file that cannot be
// run) and leaves nothing, as Docker does — not an id, exit 0, and a container found
// later as `exited (127)`.
//
// Only init knows: it looks the command up inside the container's root, after the
// pivot. So the parent gives init one more fd, a pipe on fd 4, and init's last word goes
// there. If execve(2) succeeds, fd 4 (close-on-exec, like every fd above 2: chapter
// 3.3's closeInheritedFds) closes with nothing written; if anything in init fails — the
// command not found (127), not runnable (126), a mount refused (125) — init writes one
// line "CODE MESSAGE" there and ends with that code. End of file with nothing on it
// means "the command runs". The same trick tells a program that forks and execs whether
// the exec worked (a close-on-exec pipe: man 2 execve, man 2 fcntl FD_CLOEXEC).
//
// A foreground run waits for the same answer, so both print init's failure the same
// way: once, from the runtime, as one line.

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { exitCodeOf } from '../../src/runtime/errors.ts';
import { ExecError } from '../3.1/exec.ts';

/** init's fd on which it reports a failure before exec (fd 3 brings its configuration). */
export const EXEC_STATUS_FD = 4;

/**
 * init: run `init`; if it throws, tell the parent on fd 4 ("CODE MESSAGE") and end with
 * that code. Without a status pipe (another caller started init), fail as before.
 */
export function reportingFailure(init: () => number | Promise<number>): () => Promise<number> {
  return async () => {
    try {
      return await init();
    } catch (err) {
      const line = `${exitCodeOf(err)} ${String((err as Error)?.message ?? err).replace(/\n/g, ' ')}\n`;
      try {
        if (!fs.fstatSync(EXEC_STATUS_FD).isSocket()) throw err; // not our pipe
        fs.writeSync(EXEC_STATUS_FD, line);
      } catch {
        throw err;
      }
      return exitCodeOf(err);
    }
  };
}

/**
 * Parent: start listening on init's fd 4 (call it right after the spawn). The promise
 * resolves once init has exec'd its command, and rejects with init's own error (its
 * exit code: 127, 126 or 125) if init failed before that.
 */
export function execOutcome(child: ChildProcess): Promise<void> {
  const stream = child.stdio[EXEC_STATUS_FD] as Readable;
  const outcome = new Promise<void>((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (text += d));
    const done = () => {
      const m = /^(\d+) (.*)/.exec(text);
      if (!text) resolve();
      else reject(new ExecError(m?.[2] ?? text.trim(), Number(m?.[1] ?? 125)));
    };
    stream.once('end', done);
    stream.once('error', done);
  });
  outcome.catch(() => undefined); // awaited later; a failure before that is not "unhandled"
  return outcome;
}
