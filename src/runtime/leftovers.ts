// Cleaning up after a runtime that could not clean up itself. Machinery (no chapter
// teaches it, every chapter from 3.2 on relies on it).
//
// A `run` removes what it made — the container's cgroup, its directory under the
// state root — when the container ends. If the runtime itself is killed (SIGKILL,
// a power cut), the container dies with it (PR_SET_PDEATHSIG) and the kernel drops
// the container's mounts with its mount namespace, but the cgroup directory and the
// write layer stay. So each run records who owns it, in
//   <state root>/containers/<id>/owner   "<runtime pid> <its start time>"
// and the next `run` (or `mydocker cleanup`) removes every container whose owner is
// gone. The start time (field 22 of /proc/PID/stat) tells a reused pid from ours.
//
// A later chapter may *keep* a container after it ended (5.2 keeps a detached one until
// `rm`, so `ps` and `logs` still know it). Such a chapter registers a rule here
// (keepUntilRm): which containers it keeps, and which of their files stay. The cgroup
// and everything else still go when the container ends, and likewise in a cleanup after
// a runtime that was killed. This file knows no chapter's files; it asks the rules.

import fs from 'node:fs';
import path from 'node:path';
import { log } from './log.ts';
import { CGROUP_ROOT, cgroupName, containerDir, containersDir } from './state.ts';

/** "<pid> <start time>" of a live process, or undefined if it is gone. */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${pid} ${fields[19]}`;
  } catch {
    return undefined;
  }
}

/** A chapter's rule for containers it keeps after they end. */
export interface KeepRule {
  /** The files of the container's directory that stay (its state, its log). */
  files: string[];
  /** Whether the container in directory `dir` is one this rule keeps. */
  applies(dir: string): boolean;
}

const keepRules: KeepRule[] = [];

/** Register a rule: a stage does this once, when its module is loaded. */
export function keepUntilRm(rule: KeepRule): void {
  keepRules.push(rule);
}

/** The files the container in `dir` keeps after it ended, or undefined if it is not kept. */
export function keptFiles(dir: string): string[] | undefined {
  const rules = keepRules.filter((r) => r.applies(dir));
  return rules.length ? rules.flatMap((r) => r.files) : undefined;
}

/**
 * Run `fn` for container `id` with the container's directory claimed by this process:
 * stale containers of dead runtimes are removed first; at the end the claim is
 * released and the (by then empty) directory removed. Whatever `fn` made in the
 * directory it must remove itself — a leftover is reported, not silently deleted.
 */
export async function withContainer<T>(id: string, fn: (id: string) => Promise<T>, root?: string): Promise<T> {
  cleanupStale(root);
  const dir = containerDir(id, root);
  fs.mkdirSync(dir, { recursive: true });
  const owner = path.join(dir, 'owner');
  // Written beside and renamed into place: another runtime's cleanupStale must never
  // read a half-written (empty) owner file and take the container for a dead one.
  const tmp = `${owner}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, processIdentity(process.pid)!);
  fs.renameSync(tmp, owner);
  try {
    return await fn(id);
  } finally {
    fs.rmSync(owner, { force: true });
    try {
      if (!keptFiles(dir)) fs.rmdirSync(dir);
    } catch (err) {
      log.warn(`container ${id}: ${dir} is not empty after cleanup: ${(err as Error).message}`);
    }
  }
}

/** Whether the process that created container directory `dir` is still running. */
export function ownerAlive(dir: string): boolean {
  let owner: string;
  try {
    owner = fs.readFileSync(path.join(dir, 'owner'), 'utf8').trim();
  } catch {
    // No owner file: a directory being created right now, or not ours; leave it.
    return true;
  }
  const pid = Number(owner.split(' ')[0]);
  return processIdentity(pid) === owner;
}

/** The cgroup directories named `name` in every hierarchy (v1) or the unified tree (v2). */
export function cgroupDirsNamed(name: string, root = CGROUP_ROOT): string[] {
  const dirs = [path.join(root, name)];
  try {
    for (const h of fs.readdirSync(root)) dirs.push(path.join(root, h, name));
  } catch {
    /* no cgroup filesystem */
  }
  return dirs.filter((d) => fs.existsSync(path.join(d, 'cgroup.procs')));
}

/** Mount points the host can see at or under `dir`. */
export function hostMountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')));
}

/**
 * Remove a container's cgroup and directory. Refuses to delete through a mount (a
 * volume mounted here by hand, say) so no one's data is ever lost to a cleanup.
 */
export function removeContainerFiles(id: string, root?: string): boolean {
  for (const cg of cgroupDirsNamed(cgroupName(id))) {
    try {
      fs.rmdirSync(cg);
    } catch (err) {
      log.warn(`cleanup: could not remove cgroup ${cg}: ${(err as Error).message}`);
    }
  }
  const dir = containerDir(id, root);
  const mounted = hostMountsUnder(dir);
  if (mounted.length) {
    log.warn(`cleanup: not removing ${dir}: still mounted on the host: ${mounted.join(', ')}`);
    return false;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/**
 * Clean up after every container whose runtime is gone: `removed` went entirely;
 * `cleaned` are kept containers (see keepUntilRm) whose cgroup and working files went
 * while the files their rule keeps stay.
 */
export function cleanupStale(root?: string): { removed: string[]; cleaned: string[] } {
  const removed: string[] = [];
  const cleaned: string[] = [];
  let ids: string[];
  try {
    ids = fs.readdirSync(containersDir(root));
  } catch {
    return { removed, cleaned };
  }
  for (const id of ids) {
    const dir = containerDir(id, root);
    if (ownerAlive(dir)) continue;
    log.debug(`cleanup: container ${id} was left by a runtime that is gone`);
    const kept = keptFiles(dir);
    if (kept) {
      if (removeWorkingFiles(id, kept, root)) cleaned.push(id);
    } else if (removeContainerFiles(id, root)) removed.push(id);
  }
  return { removed, cleaned };
}

/**
 * For a kept container whose runtime is gone: remove its cgroup and everything in its
 * directory but the `kept` files, and the owner file last, so it is not visited again.
 */
function removeWorkingFiles(id: string, kept: string[], root?: string): boolean {
  const dir = containerDir(id, root);
  const mounted = hostMountsUnder(dir);
  if (mounted.length) {
    log.warn(`cleanup: not cleaning ${dir}: still mounted on the host: ${mounted.join(', ')}`);
    return false;
  }
  for (const cg of cgroupDirsNamed(cgroupName(id))) {
    try {
      fs.rmdirSync(cg);
    } catch (err) {
      log.warn(`cleanup: could not remove cgroup ${cg}: ${(err as Error).message}`);
    }
  }
  for (const name of fs.readdirSync(dir)) {
    if (!kept.includes(name) && name !== 'owner') fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
  fs.rmSync(path.join(dir, 'owner'), { force: true });
  return true;
}
