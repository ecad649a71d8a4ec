// Chapter 5.9 — a terminal of the container's own: the runtime's side. The runtime holds
// the pty's master and is the wire between it and the user's terminal:
//
//   user's terminal (raw) ── stdin ──▶ runtime ──▶ master ══ slave /dev/pts/0 ──▶ sh
//   user's terminal       ◀─ stdout ── runtime ◀── master ══ slave          ◀── sh
//
// The user's terminal is put in raw mode (man 3 termios: no echo, no line editing, no
// signals from Ctrl-C or Ctrl-Z) so every key goes through as it is typed, and the
// container's terminal does all that: Ctrl-C becomes SIGINT *inside*, for the container's
// foreground job, not for the runtime. Raw mode must be undone on every way out — the
// container's end, an error, a signal — or the user's shell is left without echo.
//
// A resize of the user's terminal reaches the runtime as SIGWINCH; the runtime sets the
// same size on the master (TIOCSWINSZ), and the kernel sends SIGWINCH to the container's
// foreground job in turn. A read of the master fails with EIO once no process holds the
// slave any more: that is the end of the output, not an error.

import fs from 'node:fs';
import { UsageError } from '../../src/runtime/errors.ts';
import { getWindowSize, receiveFd, setWindowSize, socketPair, type WindowSize } from '../../src/runtime/sys.ts';

/** The size of the user's terminal (stdin's, else stdout's), or 0×0 if neither is one. */
export function userTerminalSize(): WindowSize {
  for (const fd of [0, 1]) {
    try {
      return getWindowSize(fd);
    } catch {
      // ENOTTY: not a terminal
    }
  }
  return { rows: 0, cols: 0 };
}

/** -t with -i needs a terminal to read keys from; Docker refuses it in the same words. */
export function checkTerminalFlags(tty: boolean, interactive: boolean): void {
  // exercise: refuse -t with -i when stdin is not a terminal
  if (tty && interactive && !process.stdin.isTTY)
    throw new UsageError('the input device is not a TTY (-t with -i needs a terminal on stdin; leave out -t)');
  // end exercise
}

/** The console socket: init sends the pty's master on its end (fd 5), the runtime receives it on its own. */
export class ConsoleSocket {
  readonly runtimeEnd: number;
  /** Give this to init as its fd 5, then call spawned(). */
  readonly initEnd: number;
  private open = true;

  constructor() {
    [this.runtimeEnd, this.initEnd] = socketPair();
  }

  /** init has its copy: close ours, so the socket ends when init does. */
  spawned(): void {
    fs.closeSync(this.initEnd);
  }

  /** The master init sent (it sends it before it execs the command, so it is there by then). */
  receiveMaster(): number {
    const fd = receiveFd(this.runtimeEnd);
    if (fd === undefined) throw new Error('init closed the console socket without sending the terminal');
    return fd;
  }

  close(): void {
    if (this.open) fs.closeSync(this.runtimeEnd);
    this.open = false;
  }
}

export interface Attached {
  /** Resolves once everything the container wrote to its terminal has been copied out. */
  output: Promise<void>;
  /** Stop copying, give the user's terminal back as it was, close the master. Safe to call twice. */
  detach(): void;
}

/**
 * Copy between the pty `master` and this process's stdio: the output always, the keys
 * (with the user's terminal in raw mode) when `interactive`; resizes follow the user's terminal.
 */
export function attachTerminal(master: number, interactive: boolean): Attached {
  const stdin = process.stdin;
  const raw = interactive && stdin.isTTY;
  // The master is read and written with the thread pool (fs.read, fs.write), not as a libuv
  // stream: libuv takes a poll's HUP after a short read for the end, but a pty master
  // returns at most one buffer of its queue per read, and the rest would be lost.
  let reading = true;
  let closeWhenRead = false;
  const buf = Buffer.alloc(64 * 1024);
  const output = new Promise<void>((resolve) => {
    const next = () =>
      fs.read(master, buf, 0, buf.length, null, (err, n) => {
        if (!err && n > 0) {
          process.stdout.write(buf.subarray(0, n));
          return next();
        }
        // EIO: no process holds the slave any more — the end of the output, not an error.
        reading = false;
        if (closeWhenRead) fs.closeSync(master);
        resolve();
      });
    next();
  });
  // Keys go one write after the other; one the container can no longer take is dropped.
  let writing = Promise.resolve();
  const write = (d: Buffer) => new Promise<void>((done) => fs.write(master, d, () => done()));
  const keys = (d: Buffer) => (writing = writing.then(() => write(d)));
  const resize = () => setWindowSize(master, userTerminalSize());
  let detached = false;
  const detach = () => {
    if (detached) return;
    detached = true;
    // exercise: undo what attaching did: raw mode, the key copy, the resize handler
    process.off('exit', detach);
    process.off('SIGWINCH', resize);
    if (interactive) {
      stdin.off('data', keys);
      stdin.pause();
    }
    if (raw) stdin.setRawMode(false);
    // end exercise
    // The master goes once its last read has returned (a read still waiting holds it).
    if (reading) closeWhenRead = true;
    else fs.closeSync(master);
  };
  // exercise: put the user's terminal in raw mode and copy the keys to the master; follow resizes
  if (raw) stdin.setRawMode(true);
  if (interactive) stdin.on('data', keys).resume();
  process.on('SIGWINCH', resize);
  // end exercise
  process.on('exit', detach); // even on a way out nobody thought of
  // EIO on stdin: the user's terminal hung up. Not the runtime's end: the container's is.
  if (interactive) stdin.on('error', () => stdin.off('data', keys));
  return { output, detach };
}
