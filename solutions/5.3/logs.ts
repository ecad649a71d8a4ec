// Chapter 5.3 — `logs [-f] [--stdout|--stderr] CONTAINER`: what a detached container
// wrote. Its monitor copies its stdout and stderr into a log file (chapter 5.1), kept
// until `rm` (5.2), so `logs` only has to copy that file to its own stdout. With -f it keeps
// reading as the file grows, until the container has ended — `tail -f` that knows when
// to stop. A container ends also when its runtime dies: its init dies with the monitor
// (PR_SET_PDEATHSIG), and one still "created" whose runtime is gone never starts.
//
// Both streams went into one file in the order the monitor read them, so `logs` prints
// them together on stdout. `--stdout` or `--stderr` prints one of them: the monitor
// noted which pieces of the log came from stdout (5.1's log-writer.ts), and the rest
// came from stderr. (Docker's `logs` has no such flags; it keeps the streams apart in
// its log and sends them back on the client's stdout and stderr.) A foreground
// container's output went to its terminal, and has no log.

import fs from 'node:fs';
import { UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { logPath } from '../5.1/detach.ts';
import { stdoutIndexPath } from '../5.1/log-writer.ts';
import { findContainer, isRunning, readState, runtimeAlive } from '../5.2/state.ts';

export const LOGS_FLAGS: FlagSpec[] = [
  { name: 'follow', aliases: ['f'], kind: 'bool', help: 'Keep printing what the container writes until it ends' },
  { name: 'stdout', kind: 'bool', help: 'Print only what the container wrote to its stdout' },
  {
    name: 'stderr',
    kind: 'bool',
    help: 'Print only what the container wrote to its stderr (and what the runtime said there)',
  },
];

/** One of the two streams, or both. */
type Part = 'stdout' | 'stderr' | 'both';

/** The log's pieces from stdout, as [start, end) byte ranges in order, read from its index. */
function stdoutPieces(indexFile: string): Array<[number, number]> {
  let text = '';
  try {
    text = fs.readFileSync(indexFile, 'utf8');
  } catch {
    // no index: a log written before the streams were told apart; all counts as stderr
  }
  return text
    .split('\n')
    .filter((line) => /^\d+ \d+$/.test(line))
    .map((line) => {
      const [offset, length] = line.split(' ').map(Number) as [number, number];
      return [offset, offset + length];
    });
}

/** The parts of [start, end) that belong to `part`, given the stdout pieces. */
export function piecesOf(part: 'stdout' | 'stderr', start: number, end: number, stdout: Array<[number, number]>) {
  const out: Array<[number, number]> = [];
  let at = start;
  for (const [from, to] of stdout) {
    if (to <= at) continue;
    if (from >= end) break;
    if (part === 'stderr' && from > at) out.push([at, from]);
    if (part === 'stdout') out.push([Math.max(from, at), Math.min(to, end)]);
    at = Math.min(to, end);
  }
  if (part === 'stderr' && at < end) out.push([at, end]);
  return out;
}

/** How often -f looks for more. */
const POLL_MS = 100;

function write(chunk: Buffer): Promise<void> {
  return new Promise((resolve) => process.stdout.write(chunk, () => resolve()));
}

/** Copy `file` from byte `offset` to its current end onto stdout; returns the new offset. */
async function copyFrom(fd: number, offset: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  // exercise: copy the log from offset to its current end onto stdout
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    if (n === 0) return offset;
    await write(Buffer.from(buf.subarray(0, n)));
    offset += n;
  }
  // end exercise
}

/**
 * Like copyFrom, but only what came from one stream. The log is read up to its current
 * end first and the index after it: the monitor writes a piece's index line before the
 * piece, so every stdout piece read is indexed by then.
 */
async function copyPartFrom(part: 'stdout' | 'stderr', indexFile: string, fd: number, offset: number) {
  const end = fs.fstatSync(fd).size;
  const stdout = stdoutPieces(indexFile);
  const buf = Buffer.alloc(64 * 1024);
  while (offset < end) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - offset), offset);
    if (n === 0) break;
    for (const [from, to] of piecesOf(part, offset, offset + n, stdout))
      await write(Buffer.from(buf.subarray(from - offset, to - offset)));
    offset += n;
  }
  return offset;
}

type Copy = (fd: number, offset: number) => Promise<number>;

/** -f: copy (with `copy`) what is added to the log until container `id` has ended. */
async function follow(fd: number, id: string, offset: number, copy: Copy = copyFrom): Promise<void> {
  // exercise: keep copying what is added until the container has ended, then once more
  for (;;) {
    // Going: not yet recorded as ended by a runtime that is alive (after init has ended,
    // its monitor still copies what is left in the pipes into the log), or init runs.
    const now = readState(id);
    const going =
      now !== undefined &&
      (((now.status === 'created' || now.status === 'running') && runtimeAlive(now)) || isRunning(now));
    offset = await copy(fd, offset);
    if (!going) return; // read once more after the end was seen: nothing is lost
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // end exercise
}

export async function logs(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, LOGS_FLAGS);
  if (rest.length !== 1) throw new UsageError('usage: logs [-f] [--stdout|--stderr] CONTAINER');
  const part: Part = flags.stdout && !flags.stderr ? 'stdout' : flags.stderr && !flags.stdout ? 'stderr' : 'both';
  const state = findContainer(rest[0]!);
  if (!state.detached) {
    throw new UsageError(
      `container ${state.name} runs in the foreground: its output goes to the terminal that started it, not to a log`,
    );
  }
  let fd: number;
  try {
    fd = fs.openSync(logPath(state.id), 'r');
  } catch {
    throw new UsageError(`container ${state.name} has no log (${logPath(state.id)} is gone)`);
  }
  try {
    const copy: Copy = part === 'both' ? copyFrom : (fd, at) => copyPartFrom(part, stdoutIndexPath(state.id), fd, at);
    const offset = await copy(fd, 0);
    if (flags.follow) await follow(fd, state.id, offset, copy);
  } finally {
    fs.closeSync(fd);
  }
  return 0;
}
