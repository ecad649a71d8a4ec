// Chapter 5.3 — `logs [-f] CONTAINER`: what a detached container wrote. Its stdout and
// stderr are the log file its monitor was started with (chapter 5.1), kept until `rm`
// (5.2), so `logs` only has to copy that file to its own stdout. With -f it keeps
// reading as the file grows, until the container has ended — `tail -f` that knows when
// to stop. A container ends also when its runtime dies: its init dies with the monitor
// (PR_SET_PDEATHSIG), and one still "created" whose runtime is gone never starts.
//
// Both streams went into one file in the order they were written, so `logs` prints
// them together on stdout. A foreground container's output went to its terminal, and
// has no log.

import fs from 'node:fs';
import { UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { logPath } from '../5.1/detach.ts';
import { findContainer, isRunning, readState, runtimeAlive } from '../5.2/state.ts';

export const LOGS_FLAGS: FlagSpec[] = [
  { name: 'follow', aliases: ['f'], kind: 'bool', help: 'Keep printing what the container writes until it ends' },
];

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

/** -f: copy what is added to the log until container `id` has ended. */
async function follow(fd: number, id: string, offset: number): Promise<void> {
  // exercise: keep copying what is added until the container has ended, then once more
  for (;;) {
    const now = readState(id);
    const going = now !== undefined && ((now.status === 'created' && runtimeAlive(now)) || isRunning(now));
    offset = await copyFrom(fd, offset);
    if (!going) return; // read once more after the end was seen: nothing is lost
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // end exercise
}

export async function logs(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, LOGS_FLAGS);
  if (rest.length !== 1) throw new UsageError('usage: logs [-f] CONTAINER');
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
    const offset = await copyFrom(fd, 0);
    if (flags.follow) await follow(fd, state.id, offset);
  } finally {
    fs.closeSync(fd);
  }
  return 0;
}
