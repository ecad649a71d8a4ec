// Chapter 5.1 — detached containers (`run -d`).
//
// A container's init must have a parent that waits for it: to learn its exit code, and
// to remove its cgroup and write layer when it ends. For a detached container that
// parent cannot be the CLI, which returns at once. The book lets the parent exit and
// leaves the container an orphan that nobody cleans up after; Docker and Podman give
// every container a small *monitor* process (containerd-shim, conmon) instead. So does
// this runtime:
//
//   CLI (run -d)                     monitor (hidden command)              init
//   new id, directory, log file
//   spawn monitor: detached, ──────▶ own session (setsid), stdout and
//   stdio → log, fd 3 → options      stderr → the log; does exactly what
//   waits for one line on fd 4       the foreground run does ───────────▶ spawned, PDEATHSIG
//                               ◀─── "started" once init runs             tied to the monitor
//   prints the id, exits 0           waits, cleans up, exits
//
// The monitor is this same stage started again (like init), so it runs the same code as
// a foreground run. Its session of its own (man 2 setsid) keeps the terminal's SIGHUP
// and Ctrl-C away from it; init's PR_SET_PDEATHSIG (chapter 3.1) now names the monitor
// as the parent whose death kills the container — not the CLI, which is long gone.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { selfCommand } from '../../src/runtime/entry.ts';
import { exitCodeOf, RuntimeError } from '../../src/runtime/errors.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { cloexecFrom } from '../../src/runtime/sys.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { readConfig, sendConfig } from '../3.3/pipe.ts';
import type { RunOptions } from './cli.ts';
import { logWriter, stdoutIndexPath } from './log-writer.ts';
import { preferSmallHeap } from './memory.ts';
import type { StartHooks } from './start.ts';

/** The file a detached container's stdout and stderr go to. */
export const LOG_FILE = 'container.log';
/** The monitor's end of the pipe on which it reports "started" (fd 3 brings the options). */
export const STATUS_FD = 4;

export function logPath(id: string, root?: string): string {
  return path.join(containerDir(id, root), LOG_FILE);
}

/** What the CLI sends the monitor on fd 3. */
export interface MonitorRequest<O = RunOptions> {
  id: string;
  opts: O;
}

/** The first line the monitor writes on the status pipe ('' if it closed without one). */
function firstLine(stream: Readable, child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => resolve(text.split('\n')[0]!);
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      text += d;
      if (text.includes('\n')) done();
    });
    stream.once('end', done);
    stream.once('error', done);
    child.once('error', done);
  });
}

/** CLI: send the monitor its request, wait for the first line it reports, and let it go. */
export async function handOver(monitor: ChildProcess, request: MonitorRequest<unknown>): Promise<string> {
  // exercise: send the monitor the options, wait for its "started", and let it go
  await sendConfig(monitor, request).catch(() => undefined); // a monitor that died says so below
  const status = monitor.stdio[STATUS_FD] as Readable;
  const report = await firstLine(status, monitor);
  status.destroy();
  monitor.unref(); // the CLI may exit while the monitor runs on
  return report;
  // end exercise
}

/**
 * CLI: start a detached container and return its id once it runs. `opts` goes to the
 * monitor as it is (later chapters add fields to it). Throws with the monitor's own
 * error message if the container could not be started.
 */
export async function runDetached<O extends RunOptions>(opts: O, id = newContainerId()): Promise<string> {
  const dir = containerDir(id);
  fs.mkdirSync(dir, { recursive: true });
  const log = fs.openSync(logPath(id), 'a', 0o640);
  let monitor: ChildProcess;
  try {
    // exercise: start this stage again as a detached `monitor`, its stdout and stderr in the log
    const { file, args } = selfCommand(['monitor']);
    monitor = spawn(file, args, { detached: true, stdio: ['ignore', log, log, 'pipe', 'pipe'] });
    // end exercise
  } finally {
    fs.closeSync(log); // the monitor has its own copies
  }
  const report = await handOver(monitor, { id, opts });
  if (report === 'started') return id;
  // The monitor failed before the container ran; it has said why ("error CODE MESSAGE").
  const m = /^error (\d+) (.*)$/.exec(report);
  removeLog(id);
  try {
    fs.rmdirSync(dir); // empty unless the monitor got further (then it cleaned up itself)
  } catch {
    // not empty, or gone
  }
  const err = new RuntimeError(m?.[2] || `the container's monitor ended before the container started`);
  (err as { exitCode: number }).exitCode = Number(m?.[1] ?? 125);
  throw err;
}

/**
 * Monitor: read the request, start the container with `start` (the same function a
 * foreground run uses), report "started" on the status pipe, and wait for the end.
 * `hooks` adds the caller's own steps (5.1: drop the log when the container ends).
 */
export async function monitor<O extends RunOptions>(
  start: (id: string, opts: O, hooks: StartHooks) => Promise<number>,
  endHook?: (id: string) => void,
): Promise<number> {
  cloexecFrom(STATUS_FD); // the status pipe must not reach init (nor anything else we start)
  const { id, opts } = readConfig<MonitorRequest<O>>();
  let reported = false;
  const report = (line: string) => {
    if (reported) return;
    reported = true;
    try {
      fs.writeSync(STATUS_FD, line + '\n');
      fs.closeSync(STATUS_FD);
    } catch {
      // the CLI is gone (killed while waiting): nobody to tell
    }
  };
  // The container's stdout and stderr: pipes this monitor copies into the log (log-writer.ts).
  const output = logWriter(logPath(id), stdoutIndexPath(id));
  try {
    const started = () => {
      report('started');
      preferSmallHeap(); // from here on the monitor mostly waits (memory.ts)
    };
    return await start(id, opts, { started, ended: () => endHook?.(id), output });
  } catch (err) {
    report(`error ${exitCodeOf(err)} ${(err as Error).message?.replace(/\n/g, ' ') ?? String(err)}`);
    throw err;
  } finally {
    output.spawned(); // if init never started, our copies of its pipes are the last
    await output.drained();
  }
}

/** 5.1's end hook: the container's directory goes when it ends, and its log with it. */
export function removeLog(id: string): void {
  fs.rmSync(logPath(id), { force: true });
  fs.rmSync(stdoutIndexPath(id), { force: true });
}
