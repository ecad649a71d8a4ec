// Helpers for the tests of chapters 5.1 on (not a test file itself): detached
// containers outlive the CLI, so a test must find and end them itself, and read a few
// facts about processes from /proc.

import fs from 'node:fs';
import path from 'node:path';
import { findProcesses, runtimeCgroups, waitFor } from './harness.ts';

/**
 * Wait until a process matching findProcesses(needle, comm) exists; its host pid. Unlike
 * the harness's waitForProcess this does not give up when the CLI has ended: `run -d`
 * ends (exit 0) before its container has started. A failed start shows earlier, in the
 * exit code checked before this wait.
 */
export function waitForDetachedProcess(needle: string, comm?: string, ms = 20_000): Promise<number> {
  return waitFor(() => findProcesses(needle, comm)[0], ms, `a process "${comm ?? ''}" with "${needle}"`);
}

/** Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, … */
export function statOf(pid: number): { ppid: number; session: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), session: Number(f[3]) };
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function waitGone(pid: number, ms = 15_000): Promise<true> {
  return waitFor(() => (alive(pid) ? undefined : true), ms, `process ${pid} to end`);
}

/** Wait until every cgroup of this test's containers is gone (their runtimes cleaned up). */
export function waitCgroupsGone(ms = 15_000): Promise<true> {
  return waitFor(() => (runtimeCgroups().length ? undefined : true), ms, 'the containers’ cgroups to be removed');
}

/**
 * SIGKILL every process of this test's containers (found through their cgroups) and
 * wait until their monitors have cleaned up. For after.each: nothing outlives a test.
 */
export async function killAllContainers(root?: string): Promise<void> {
  for (const dir of runtimeCgroups()) {
    let pids: string[] = [];
    try {
      pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await waitCgroupsGone().catch(() => undefined);
  if (root) await waitSettled(root).catch(() => undefined);
}

/** What a kept container keeps after it ended (5.2 on): its state, its log and the log's stdout index, its write layer. */
export const KEPT = ['state.json', 'container.log', 'container.log.stdout', 'upper'];

/**
 * Wait until every container directory under `root` holds at most a kept container's
 * state, log and write layer: the runtimes have finished their cleanup (the cgroup goes
 * before overlay's scratch directories and the owner file).
 */
export function waitSettled(root: string, ms = 15_000): Promise<true> {
  const done = () => keptFiles(root).every((f) => KEPT.includes(f));
  return waitFor(() => (done() ? true : undefined), ms, 'the containers’ runtimes to finish cleaning up');
}

/** The files in the container directories under `root` (after the end, 5.2 on: KEPT). */
export function keptFiles(root: string): string[] {
  const dir = path.join(root, 'containers');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((id) => fs.readdirSync(path.join(dir, id)));
}
