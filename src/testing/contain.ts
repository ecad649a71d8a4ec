// Holding on to everything a test starts. Machinery for the harness: a learner's broken
// stage can leave processes that outlive the CLI (an orphan outside the container's PID
// namespace still holding the CLI's stdout), or a CLI that never ends. A test must end
// within its timeout whatever the stage does, name what it killed, and leave nothing.
//
// Each CLI a test starts gets
//  - a process group and session of its own (so a kill reaches its helpers), and
//  - a cgroup of the harness's own, entered before the CLI's own code runs: every process it
//    starts, at any depth and in any PID namespace, is born in it and stays there —
//    the runtime moves containers only in the cgroup trees it manages (v1 controllers)
//    or, on a v2-only host, into cgroups named by the test's prefix, which are killed
//    by name (see killCgroupsNamed).
// Where no cgroup can be made (a v1 host with no named hierarchy), the process group is
// what remains.
//
// Ctrl-C (or SIGTERM) on a test process kills what every running test started, unmounts
// what is mounted under its state roots, removes them, and says which test was running.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT } from '../runtime/state.ts';

/** The harness's cgroups are named so, never like a runtime's (mydocker-…). */
const NAME = `test-harness.${process.pid}`;

/**
 * A cgroup tree the harness may make cgroups in, one that no runtime of ours moves
 * processes out of on this host: v2's tree on a v2 host, else cgroup2 mounted beside
 * the v1 controllers ("hybrid"), else systemd's named v1 tree.
 */
function harnessTree(): string | undefined {
  if (fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) return CGROUP_ROOT;
  for (const h of ['unified', 'systemd']) {
    const dir = path.join(CGROUP_ROOT, h);
    if (fs.existsSync(path.join(dir, 'cgroup.procs'))) return dir;
  }
  return undefined;
}
const TREE = harnessTree();

const ENTER_VAR = 'MYDOCKER_TEST_CGROUP_PROCS';
/** A module for `node --import`: the process writes itself into the cgroup named by ENTER_VAR. */
const ENTER = `data:text/javascript,${encodeURIComponent(
  `import fs from 'node:fs'; const f = process.env.${ENTER_VAR}; delete process.env.${ENTER_VAR}; if (f) try { fs.writeFileSync(f, '0'); } catch {}`,
)}`;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readPids(file: string): number[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Whether `pid` still runs (a zombie, killed and waiting to be reaped, does not). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL `pids` and wait, briefly, until none of them runs any more. */
export function killAndWait(pids: number[], waitMs = 2000): void {
  pids.forEach(killPid);
  const end = Date.now() + waitMs;
  while (pids.some(isRunning) && Date.now() < end) sleepSync(10);
}

/** "sleep 1000 (pid 123)": what a process is, for a message. */
export function describePid(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // Node's preloads (the harness's own among them) say nothing about what the process is.
    // ...and long absolute paths (node itself, a stage's bundle) only their last part.
    const cmd = argv
      .filter((a, i) => a !== '--import' && argv[i - 1] !== '--import')
      .map((a) => (a.startsWith('/') && a.length > 24 ? path.basename(a) : a))
      .join(' ');
    const short = cmd.length > 100 ? `${cmd.slice(0, 97)}…` : cmd;
    return `${short || fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()} (pid ${pid})`;
  } catch {
    return `pid ${pid}`;
  }
}

/** The processes in cgroup `dir` and the cgroups below it. */
function pidsIn(dir: string): number[] {
  const pids = readPids(path.join(dir, 'cgroup.procs'));
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) pids.push(...pidsIn(path.join(dir, e.name)));
  } catch {
    /* gone */
  }
  return pids;
}

/** SIGKILL every process in cgroup `dir` (cgroup.kill where the kernel has it) and wait, briefly, until it is empty. */
function emptyCgroup(dir: string, waitMs = 2000): number[] {
  const killed = pidsIn(dir);
  const end = Date.now() + waitMs;
  for (;;) {
    const left = pidsIn(dir);
    if (!left.length || Date.now() > end) return killed;
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
    } catch {
      left.forEach(killPid); // v1, or a kernel before 5.14: one by one, again until none is left
    }
    sleepSync(20);
  }
}

function removeCgroup(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * SIGKILL the processes of every cgroup whose name starts with `prefix` (two levels
 * deep in every tree, as the harness's runtimeCgroups looks): a container the runtime
 * moved out of the harness's cgroup on a v2-only host.
 */
export function killCgroupsNamed(prefix: string): number[] {
  return cgroupsNamed(prefix).flatMap((p) => emptyCgroup(p, 500));
}

/**
 * Cgroup directories whose name starts with `prefix`, two levels deep in every tree
 * (v1's hierarchies, the unified tree): enough for the runtime's cgroups, which sit at
 * the top of a hierarchy or one level below.
 */
export function cgroupsNamed(prefix: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.startsWith(prefix)) found.push(p);
      else if (depth > 0) visit(p, depth - 1);
    }
  };
  visit(CGROUP_ROOT, 2);
  return found.sort();
}

let seq = 0;
const live = new Set<Containment>();

/** What one CLI started: its process group and the harness's cgroup it was born in. */
export class Containment {
  /** The cgroup (absolute), if one could be made. */
  readonly dir: string | undefined;
  /** The CLI's pid, also its process group. */
  pid: number | undefined;
  /** What the CLI's stdout and stderr are (e.g. "socket:[123]"), to find who still holds them. */
  private stdio: string[] = [];

  constructor(
    /** e.g. `mydocker run sh -c …`, for messages */
    readonly label: string,
    /** The cgroup name prefix of the runtime's cgroups for this run (MYDOCKER_CGROUP_PREFIX). */
    readonly runtimePrefix?: string,
  ) {
    let dir: string | undefined;
    if (TREE) {
      dir = path.join(TREE, `${NAME}-${++seq}`);
      try {
        fs.mkdirSync(dir);
      } catch {
        dir = undefined;
      }
    }
    this.dir = dir;
    live.add(this);
    cleanUpOnSignal();
  }

  /**
   * Node options that make the CLI enter the cgroup before its own code runs (so before
   * it can start anything), and the variable that tells it where. The variable is
   * removed at once, so the CLI's children do not move themselves back from a cgroup
   * the runtime put them in; they keep the option, which does nothing without it.
   */
  nodeArgs(): { execArgv: string[]; env: Record<string, string> } {
    if (!this.dir) return { execArgv: [], env: {} };
    return { execArgv: ['--import', ENTER], env: { [ENTER_VAR]: path.join(this.dir, 'cgroup.procs') } };
  }

  /** Call once the CLI has been spawned. */
  started(pid: number | undefined): void {
    this.pid = pid;
    for (const fd of [1, 2]) {
      try {
        this.stdio.push(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        /* ended already */
      }
    }
  }

  /** Processes started by the CLI that are still there (the CLI included, if it is). */
  pids(): number[] {
    if (this.dir) return pidsIn(this.dir);
    const group: number[] = [];
    if (this.pid === undefined) return group;
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === this.pid) group.push(Number(name));
      } catch {
        /* ended while we looked */
      }
    }
    return group;
  }

  /** Processes that still hold the CLI's stdout or stderr open. */
  holders(): number[] {
    if (!this.stdio.length) return [];
    const found = new Set<number>();
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        for (const fd of fs.readdirSync(`/proc/${name}/fd`)) {
          if (this.stdio.includes(fs.readlinkSync(`/proc/${name}/fd/${fd}`))) {
            found.add(Number(name));
            break;
          }
        }
      } catch {
        /* ended, or not ours to read */
      }
    }
    return [...found];
  }

  /**
   * SIGKILL everything the CLI started: its cgroup, its process group, and the
   * runtime's cgroups of this run. Returns descriptions of what was still running.
   */
  killAll(): string[] {
    const before = this.pids();
    const seen = before.map(describePid);
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        /* no such group any more */
      }
    }
    if (this.dir) emptyCgroup(this.dir);
    else killAndWait(before);
    if (this.runtimePrefix) killCgroupsNamed(this.runtimePrefix);
    return seen;
  }

  /** Kill whatever is still running, then remove the cgroup. */
  end(): void {
    if (this.release()) return;
    this.killAll();
    this.release();
  }

  /** Remove the cgroup if nothing is left in it; true when it is gone. */
  release(): boolean {
    if (this.dir && !removeCgroup(this.dir)) return false;
    live.delete(this);
    return true;
  }
}

/** The harness's containments still holding something (for after-each cleanup). */
export function liveContainments(): Containment[] {
  return [...live];
}

// ---- Ctrl-C ----

/** What an interrupted test process must clean up: set by the harness. */
export const running: { test?: string; roots: Set<string> } = { roots: new Set() };

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
}

/** The runtime's cgroup name prefix for state root `root` (the harness's cgroupPrefix, plus '-'). */
function prefixOf(root: string): string {
  return `mydocker-${path.basename(root).replace(/^mydocker-/, '')}-`;
}

/**
 * Take off the host what a test's runs left around state root `root`: the processes
 * and cgroups of its containers (named by the root's prefix) and every mount at or
 * under it. The root itself stays (the caller removes it). What a correct stage leaves
 * is nothing, and then this does nothing.
 */
export function cleanUpRoot(root: string): void {
  killCgroupsNamed(prefixOf(root));
  for (const m of mountsUnder(root)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  removeCgroupsNamed(prefixOf(root));
}

/** Kill what every test started, unmount and remove the state roots. Synchronous: it runs in a signal handler. */
export function cleanUpEverything(): { killed: string[]; roots: string[] } {
  const killed: string[] = [];
  for (const c of live) killed.push(...c.killAll());
  for (const root of running.roots) killCgroupsNamed(prefixOf(root));
  sleepSync(100); // let the kernel reap what was killed before cgroups are removed
  for (const root of running.roots) {
    cleanUpRoot(root);
    if (!mountsUnder(root).length) fs.rmSync(root, { recursive: true, force: true });
  }
  for (const c of live) c.release();
  return { killed, roots: [...running.roots] };
}

function removeCgroupsNamed(prefix: string): void {
  for (const p of cgroupsNamed(prefix)) removeCgroup(p);
}

function onSignal(signal: NodeJS.Signals): void {
  const test = running.test;
  const { killed, roots } = cleanUpEverything();
  const what = killed.length
    ? `killed ${killed.length} process(es) it had started (${killed.slice(0, 4).join(', ')}${killed.length > 4 ? ', …' : ''})`
    : 'no process of it was left';
  process.stderr.write(
    `\n${signal === 'SIGINT' ? 'Interrupted' : `Stopped by ${signal}`} during test ${test ? `"${test}"` : '(between tests)'}: ${what}; removed ${roots.length} state root(s).\n`,
  );
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

let armed = false;

/**
 * From now on, Ctrl-C or SIGTERM cleans up before the process ends, and its exit ends
 * what is still running. Called once there is something to clean up (a CLI started, a
 * state root made), so a process that only imports the harness keeps its own handling.
 */
export function cleanUpOnSignal(): void {
  if (armed) return;
  armed = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const c of live) c.end();
  });
}
