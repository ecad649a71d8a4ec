// Chapter 5.2 — what the runtime remembers about a container, so that `ps` (and, in the
// next chapters, logs, exec, stop and rm) can find it after `run` has returned:
//
//   <state root>/containers/<id>/state.json
//
// (the book's /var/run/mydocker/<name>/config.json; "state" says what it is, and keeps
// it apart from the configuration init is sent through its pipe). Only the container's runtime —
// the CLI in the foreground, the monitor when detached — writes it: "created" before
// the start, "running" with init's pid once it runs, "exited" with the exit code when
// it ends. Every write goes to a temporary file that is then renamed over the old one
// (man 2 rename: atomic), so a reader never sees half a file.
//
// A pid alone is not a process: once the container has ended the kernel may give its
// number to another one. So the state also keeps init's start time, and a container
// counts as running only while a process with that pid *and* that start time exists
// (processIdentity, src/runtime/leftovers.ts).

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/runtime/errors.ts';
import { keepUntilRm, processIdentity } from '../../src/runtime/leftovers.ts';
import { containerDir, containersDir } from '../../src/runtime/state.ts';
import type { Volume } from '../4.3/volumes.ts';
import { LOG_FILE } from '../5.1/detach.ts';
import { STDOUT_INDEX_FILE } from '../5.1/log-writer.ts';

export const STATE_FILE = 'state.json';

export interface ContainerState {
  id: string;
  name: string;
  command: string[];
  /** ISO time of `run` */
  created: string;
  status: 'created' | 'running' | 'exited';
  /**
   * The identity "pid starttime" of the process starting the container (the CLI, then
   * the monitor): while the status is "created", the container is still starting only
   * while this process lives.
   */
  runtime?: string;
  /** init's pid on the host, and its identity "pid starttime" */
  pid?: number;
  pidIdentity?: string;
  exitCode?: number;
  finished?: string;
  detached: boolean;
  /** true: removed when it ends (a foreground run); false: kept until `rm` (see below) */
  autoRemove: boolean;
  volumes: Volume[];
}

/**
 * The state as a later chapter writes it: `Extra` are the fields it adds (5.7's image,
 * 5.8's environment). Read back, they may be missing: the container may have been
 * started by an earlier stage.
 */
export type StateWith<Extra extends object> = ContainerState & Partial<Extra>;

export function statePath(id: string, root?: string): string {
  return path.join(containerDir(id, root), STATE_FILE);
}

export function readState<Extra extends object = object>(id: string, root?: string): StateWith<Extra> | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(id, root), 'utf8')) as StateWith<Extra>;
  } catch {
    return undefined; // not there, or not a container of 5.2 on
  }
}

/** Write the whole state atomically: a temporary file renamed over state.json. */
export function writeState(state: ContainerState, root?: string): void {
  // exercise: write the state as JSON to a temporary file and rename it over state.json
  const file = statePath(state.id, root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  // end exercise
}

/** Change some fields of container `id`'s state (if it still has one). */
export function updateState<Extra extends object = object>(
  id: string,
  change: Partial<ContainerState & Extra>,
  root?: string,
): StateWith<Extra> | undefined {
  const state = readState<Extra>(id, root);
  if (!state) return undefined;
  const next = { ...state, ...change };
  writeState(next, root);
  return next;
}

/** Every container with a state, oldest first. */
export function listStates<Extra extends object = object>(root?: string): StateWith<Extra>[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(containersDir(root));
  } catch {
    return [];
  }
  return ids
    .map((id) => readState<Extra>(id, root))
    .filter((s): s is StateWith<Extra> => !!s)
    .sort((a, b) => a.created.localeCompare(b.created));
}

/** Whether the container's init is still the process the state names. */
export function isRunning(state: ContainerState): boolean {
  // exercise: a container runs while a process with its pid and start time exists
  return state.status === 'running' && state.pid !== undefined && processIdentity(state.pid) === state.pidIdentity;
  // end exercise
}

/** Whether the process starting the container (the state's `runtime`) is still alive. */
export function runtimeAlive(state: ContainerState): boolean {
  if (!state.runtime) return true; // written by a stage that did not record it
  return processIdentity(Number(state.runtime.split(' ')[0])) === state.runtime;
}

/** What `ps` shows: running, created, exited (N), or "exited (unknown)" when its runtime died with it. */
export function statusText(state: ContainerState): string {
  if (isRunning(state)) return 'running';
  if (state.status === 'exited') return `exited (${state.exitCode ?? 'unknown'})`;
  if (state.status === 'running') return 'exited (unknown)'; // the process is gone, no one recorded how
  return state.status;
}

/**
 * The container a user means by `arg`: an exact id, else an exact name, else the start
 * of exactly one id (as Docker does).
 */
export function findContainer<Extra extends object = object>(arg: string, root?: string): StateWith<Extra> {
  const all = listStates<Extra>(root);
  const found = all.find((s) => s.id === arg) ?? all.find((s) => s.name === arg);
  if (found) return found;
  const byPrefix = arg ? all.filter((s) => s.id.startsWith(arg)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1)
    throw new UsageError(`container "${arg}" is ambiguous: it starts ${byPrefix.map((s) => s.id).join(', ')}`);
  throw new UsageError(`no such container: ${arg}`);
}

/** A kept container's write layer (chapter 4.2's `upper`), kept for `commit` until `rm`. */
export const WRITE_LAYER = 'upper';

/**
 * A container kept until `rm` (a detached one: autoRemove false) keeps its state, its
 * log and its write layer when its runtime cleans up after it — also when that cleanup
 * is done by another runtime after a crash (src/runtime/leftovers.ts asks every rule
 * registered here). The write layer stays so that a stopped container can still be
 * committed (commit.ts), as Docker keeps it until `docker rm`.
 */
keepUntilRm({
  files: [STATE_FILE, LOG_FILE, STDOUT_INDEX_FILE, WRITE_LAYER],
  applies: (dir) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as ContainerState).autoRemove === false;
    } catch {
      return false; // no state (yet, or any more): nothing to keep
    }
  },
});
