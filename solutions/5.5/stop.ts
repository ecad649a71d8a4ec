// Chapter 5.5 — `stop [-t N] CONTAINER…`: ask the container to end (SIGTERM to its init),
// and make it end (SIGKILL) if it has not after N seconds (default 10, as Docker).
//
// Why both? The book sends SIGTERM and is done, which often does nothing: the kernel
// does not deliver a signal to the init of a PID namespace unless init has a handler
// for it (man 7 pid_namespaces), and most programs run as PID 1 — sleep, a shell, a
// server that never expected to be init — install none. SIGKILL is the exception the
// kernel makes for the parent namespace, and it cannot be refused.
//
// The signal goes to init's host pid from the state, but only after checking that the
// process with that pid is still the one the state names (pid and start time): a
// container that ended long ago may have left its pid to someone else.
// The runtime (monitor or foreground CLI) sees init end, records "exited (N)" and
// removes the cgroup and write layer; `stop` waits for that before it returns.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { ownerAlive } from '../../src/runtime/leftovers.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { findContainer, isRunning, readState, type ContainerState } from '../5.2/state.ts';

export const STOP_FLAGS: FlagSpec[] = [
  {
    name: 'time',
    aliases: ['t'],
    kind: 'string',
    value: 'SECONDS',
    help: 'Seconds to wait after SIGTERM before SIGKILL (default 10)',
  },
];

export const DEFAULT_STOP_SECONDS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `done()` or `ms` have passed; whether it became true. */
export async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await sleep(50);
  }
  return true;
}

/** Send `signal` to the container's init if it is still the process the state names. */
export function signalContainer(state: ContainerState, signal: NodeJS.Signals): void {
  // exercise: signal init only while it is still the process the state names
  const now = readState(state.id) ?? state;
  if (!isRunning(now)) return;
  try {
    process.kill(now.pid!, signal);
  } catch {
    // it ended just now
  }
  // end exercise
}

/**
 * Whether the container's runtime has finished with it: the container does not run, and
 * its runtime has removed its owner file (the last thing it does) or is gone itself.
 */
export function settled(id: string): boolean {
  const state = readState(id);
  if (!state) return true; // a foreground container removed itself
  const dir = containerDir(id);
  return !isRunning(state) && (!fs.existsSync(path.join(dir, 'owner')) || !ownerAlive(dir));
}

/** Stop one container: SIGTERM, then SIGKILL after `seconds`; wait until its runtime has cleaned up. */
export async function stopContainer(state: ContainerState, seconds: number): Promise<void> {
  const running = () => {
    const now = readState(state.id);
    return !!now && isRunning(now);
  };
  // exercise: SIGTERM, wait up to `seconds`, then SIGKILL
  signalContainer(state, 'SIGTERM');
  if (!(await waitUntil(() => !running(), seconds * 1000))) {
    signalContainer(state, 'SIGKILL');
    await waitUntil(() => !running(), 10_000);
  }
  // end exercise
  // The runtime records the exit and removes the write layer and cgroup right after.
  await waitUntil(() => settled(state.id), 10_000);
}

export async function stop(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, STOP_FLAGS);
  if (rest.length === 0) throw new UsageError('usage: stop [-t SECONDS] CONTAINER [CONTAINER...]');
  let seconds = DEFAULT_STOP_SECONDS;
  if (typeof flags.time === 'string') {
    if (!/^\d+$/.test(flags.time)) throw new UsageError(`invalid -t "${flags.time}": use a whole number of seconds`);
    seconds = Number(flags.time);
  }
  const states = rest.map((arg) => findContainer(arg)); // all known before any is stopped
  await Promise.all(states.map((s) => stopContainer(s, seconds)));
  for (const arg of rest) console.log(arg);
  return 0;
}
