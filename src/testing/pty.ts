// A stage's CLI run on a terminal, for the tests of what a user sees at a terminal (run -t,
// exec -t). Machinery: the test opens a pseudo-terminal of the host's (man 7 pty), starts
// the CLI with the slave as its stdin, stdout and stderr and as its controlling terminal
// (util-linux `setsid --ctty`: a session of its own), and plays the user on the master —
// it types, reads what the terminal shows, and resizes the window.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { setWindowSize, unlockPty, type WindowSize } from '../runtime/sys.ts';
import { Containment } from './contain.ts';
import { cgroupPrefix, cliArgv, REPO, TIME_SCALE, waitFor } from './harness.ts';

export interface Terminal {
  /** The CLI, session leader of the terminal. */
  child: ChildProcess;
  /** The slave's path on the host, e.g. /dev/pts/3. */
  slave: string;
  /** Everything the terminal has shown so far. */
  output(): string;
  /** Resolves with the output once it matches `re` (searched after `from`, a length of output()). */
  waitOutput(re: RegExp, from?: number, ms?: number): Promise<string>;
  /** Type on the keyboard (raw bytes: '\x03' is Ctrl-C, '\x04' Ctrl-D, '\x1a' Ctrl-Z). */
  type(keys: string): void;
  /** Resize the window: the CLI gets SIGWINCH. */
  resize(size: WindowSize): void;
  /** The terminal's settings as `stty -g` prints them (to compare before and after). */
  settings(): string;
  /** Resolves with the CLI's exit code (or 128+N for signal N); kills it after `ms`. */
  exit(ms?: number): Promise<number>;
  /** Close the terminal and kill what is left. */
  close(): void;
}

export function startInTerminal(
  stage: string,
  args: string[],
  opts: { root: string; size?: WindowSize; env?: NodeJS.ProcessEnv },
): Terminal {
  const master = fs.openSync('/dev/ptmx', fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const slave = `/dev/pts/${unlockPty(master)}`;
  setWindowSize(master, opts.size ?? { rows: 24, cols: 80 });
  const slaveFd = fs.openSync(slave, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const c = new Containment(`mydocker ${args.join(' ')} (on ${slave})`, `${cgroupPrefix(opts.root)}-`);
  const enter = c.nodeArgs();
  // spawn without `detached`: the child is no group leader, so setsid(1) need not fork.
  const child = spawn('setsid', ['--ctty', process.execPath, ...enter.execArgv, ...cliArgv(stage), ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      TERM: 'xterm',
      MYDOCKER_ROOT: opts.root,
      MYDOCKER_CGROUP_PREFIX: cgroupPrefix(opts.root),
      FORCE_COLOR: '0',
      ...enter.env,
      ...opts.env,
    },
    stdio: [slaveFd, slaveFd, slaveFd],
  });
  c.started(child.pid);
  fs.closeSync(slaveFd); // the CLI's now: the master reads EIO once it and its children are gone
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? 128 + os.constants.signals[signal] : (code ?? 0)));
  });
  exited.catch(() => {});
  // Read with the thread pool, not a tty stream: a stream closes the master at EIO, and
  // the test still asks it for the terminal's settings after the CLI has ended.
  let out = '';
  let closed = false;
  const text = new StringDecoder('utf8');
  const buf = Buffer.alloc(4096);
  const pump = () =>
    fs.read(master, buf, 0, buf.length, null, (err, n) => {
      if (!err && n > 0) {
        out += text.write(buf.subarray(0, n));
        return pump();
      }
      // EIO: nobody holds the slave any more.
      if (closed) fs.closeSync(master);
      else readDone = true;
    });
  let readDone = false;
  pump();
  const close = () => {
    if (closed) return;
    c.end();
    closed = true;
    if (readDone) fs.closeSync(master);
  };
  return {
    child,
    slave,
    output: () => out,
    waitOutput: (re, from = 0, ms = 20_000) =>
      waitFor(
        () => (re.test(out.slice(from)) ? out : undefined),
        ms,
        `terminal output matching ${re}`,
        () =>
          child.exitCode !== null || child.signalCode !== null
            ? `the CLI ended; the terminal shows: ${shown(out)}`
            : undefined,
      ),
    type: (keys) => fs.writeSync(master, keys),
    resize: (size) => setWindowSize(master, size),
    // On the master: its TCGETS gives the slave's settings, even after the session has ended.
    settings: () => spawnSync('stty', ['-g'], { stdio: [master, 'pipe', 'pipe'], encoding: 'utf8' }).stdout.trim(),
    exit: async (ms = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          c.killAll();
          reject(new Error(`the CLI had not ended after ${ms / 1000} s; the terminal shows: ${shown(out)}`));
        }, ms * TIME_SCALE);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close,
  };
}

/** The terminal's text for a failure message: line ends as lines, escapes visible, quotes as they are (so a NotImplemented message is found in it). */
function shown(out: string): string {
  return '\n' + out.replace(/\r+\n/g, '\n').replace(/\x1b/g, '\\e');
}
