// Chapter 3.2 — a cgroup per container (man 7 cgroups). The kernel limits a group of
// processes through files: make a directory in the cgroup filesystem, write limits into
// its files, write a pid into it, and that process and all its children are held to
// the limits. Both layouts are supported:
//   v1 (and "hybrid"): one tree per controller: /sys/fs/cgroup/memory/<name>/…
//   v2 (unified):      one tree for all:        /sys/fs/cgroup/<name>/…
// The version is detected the way runc does: v2 has /sys/fs/cgroup/cgroup.controllers.

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError } from '../../../src/runtime/errors.ts';
import { log } from '../../../src/runtime/log.ts';
import { CGROUP_ROOT } from '../../../src/runtime/state.ts';
import { sharesToWeight, type Resources } from './resources.ts';

/** The controllers a container's cgroup uses. */
export const CONTROLLERS = ['memory', 'cpu', 'cpuset', 'pids'] as const;

export interface Cgroup {
  /** e.g. mydocker-3f2a…; the same name in every hierarchy */
  readonly name: string;
  /** The cgroup's directories (one per v1 controller, one on v2). */
  readonly dirs: string[];
  /** Move a process (and so its future children) into the cgroup. */
  addProcess(pid: number): void;
  /** Whether the kernel's OOM killer has killed a process of this cgroup. */
  oomKilled(): boolean;
  /** Remove the cgroup; its processes must have ended. */
  destroy(): Promise<void>;
}

export function cgroupVersion(root = CGROUP_ROOT): 1 | 2 {
  return fs.existsSync(path.join(root, 'cgroup.controllers')) ? 2 : 1;
}

function writeFile(dir: string, file: string, value: string | number): void {
  const p = path.join(dir, file);
  try {
    fs.writeFileSync(p, String(value));
  } catch (err) {
    throw new RuntimeError(`cgroup: write "${value}" to ${p}: ${(err as Error).message}`);
  }
  log.debug(`cgroup: ${p} = ${value}`);
}

function readFile(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8').trim();
}

/** "oom_kill 2" in memory.oom_control (v1) or memory.events (v2) */
function oomKillCount(file: string): number {
  try {
    return Number(/^oom_kill (\d+)$/m.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** rmdir a cgroup, waiting briefly while the kernel finishes reaping its processes. */
async function removeDir(dir: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || tries >= 100) {
        log.warn(`cgroup: could not remove ${dir}: ${(err as Error).message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

// ---- v1: a directory in each controller's own hierarchy ----

function createV1(name: string, res: Resources, root: string): Cgroup {
  const dirs = new Map<string, string>();
  const cgroup: Cgroup = {
    name,
    get dirs() {
      return [...dirs.values()];
    },
    addProcess(pid) {
      for (const dir of dirs.values()) writeFile(dir, 'cgroup.procs', pid);
    },
    oomKilled() {
      const mem = dirs.get('memory');
      return mem ? oomKillCount(path.join(mem, 'memory.oom_control')) > 0 : false;
    },
    async destroy() {
      for (const dir of dirs.values()) await removeDir(dir);
    },
  };
  try {
    // exercise: make the cgroup in each v1 hierarchy and write the limits
    for (const controller of CONTROLLERS) {
      const hierarchy = path.join(root, controller);
      if (!fs.existsSync(hierarchy)) continue; // controller not mounted here
      const dir = path.join(hierarchy, name);
      fs.mkdirSync(dir);
      dirs.set(controller, dir);
    }
    const cpuset = dirs.get('cpuset');
    if (cpuset) {
      // A new v1 cpuset starts with *empty* cpus and mems, and the kernel refuses to
      // add a task to it (ENOSPC) until both are set: copy them from the parent.
      writeFile(cpuset, 'cpuset.cpus', res.cpusetCpus ?? readFile(path.dirname(cpuset), 'cpuset.cpus'));
      writeFile(cpuset, 'cpuset.mems', readFile(path.dirname(cpuset), 'cpuset.mems'));
    }
    const memory = dirs.get('memory');
    if (memory && res.memory !== undefined) {
      writeFile(memory, 'memory.limit_in_bytes', res.memory);
      // Without this the container could swap past its limit instead of being stopped.
      if (fs.existsSync(path.join(memory, 'memory.memsw.limit_in_bytes'))) {
        writeFile(memory, 'memory.memsw.limit_in_bytes', res.memory);
      }
    }
    const cpu = dirs.get('cpu');
    if (cpu && res.cpuShares !== undefined) writeFile(cpu, 'cpu.shares', res.cpuShares);
    const pids = dirs.get('pids');
    if (pids && res.pidsLimit !== undefined) writeFile(pids, 'pids.max', res.pidsLimit);
    // end exercise
    return cgroup;
  } catch (err) {
    for (const dir of dirs.values()) fs.rmdirSync(dir);
    throw err;
  }
}

// ---- v2: one directory, controllers enabled from the parent ----

/** The controller each limit needs. */
const LIMIT_CONTROLLER: [keyof Resources, (typeof CONTROLLERS)[number], string][] = [
  ['memory', 'memory', '-m'],
  ['cpuShares', 'cpu', '--cpu-shares'],
  ['cpusetCpus', 'cpuset', '--cpuset-cpus'],
  ['pidsLimit', 'pids', '--pids-limit'],
];

/** Where the processes of a non-root cgroup go when it has to enable controllers. */
export const LEAF = 'init';

/**
 * v2's "no internal processes" rule: a cgroup other than the root of the whole tree can
 * enable controllers for its children only while it holds no processes itself. The root
 * the runtime sees is such a cgroup inside a container with its own cgroup namespace,
 * or in a delegated subtree; then its processes (the runtime among them) move to a leaf
 * child first, as Docker's docker-in-docker does. The real root has no cgroup.type.
 */
function enableControllers(root: string, wanted: string[]): void {
  const enabled = readFile(root, 'cgroup.subtree_control').split(/\s+/);
  const missing = wanted.filter((c) => !enabled.includes(c));
  if (missing.length === 0) return;
  if (fs.existsSync(path.join(root, 'cgroup.type'))) {
    const procs = () => readFile(root, 'cgroup.procs').split('\n').filter(Boolean);
    // A process forked while we move the others lands in root: a few rounds catch it.
    for (let round = 0; round < 5 && procs().length; round++) {
      fs.mkdirSync(path.join(root, LEAF), { recursive: true });
      for (const pid of procs()) {
        try {
          fs.writeFileSync(path.join(root, LEAF, 'cgroup.procs'), pid);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // it ended meanwhile
        }
      }
    }
    if (procs().length) log.debug(`cgroup: ${root} still holds processes after moving them to ${LEAF}/`);
    else log.debug(`cgroup: moved the processes of ${root} to ${path.join(root, LEAF)}`);
  }
  // A v2 child only gets the controllers its parent lists in cgroup.subtree_control.
  for (const c of missing) writeFile(root, 'cgroup.subtree_control', `+${c}`);
}

/** "populated 1" in cgroup.events: a process is in the cgroup or below it. */
function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Empty the cgroup before it is removed. Its processes normally ended with the
 * container's init (they were in its PID namespace), but one can be left: a process
 * written into the cgroup from outside. cgroup.kill (Linux 5.14) SIGKILLs everything in
 * it at once, and cgroup.events says when the kernel has reaped the last one.
 */
async function emptyCgroup(dir: string): Promise<void> {
  if (!populated(dir)) return;
  const kill = path.join(dir, 'cgroup.kill');
  if (!fs.existsSync(kill)) return; // older kernel: removeDir waits and warns
  writeFile(dir, 'cgroup.kill', 1);
  for (let tries = 0; tries < 100 && populated(dir); tries++) await new Promise((r) => setTimeout(r, 20));
}

function createV2(name: string, res: Resources, root: string): Cgroup {
  const dir = path.join(root, name);
  const available = readFile(root, 'cgroup.controllers').split(/\s+/);
  // A limit whose controller the parent does not hand down cannot be applied: say so
  // before anything is created, rather than fail writing a file that is not there.
  const lacking = LIMIT_CONTROLLER.filter(([limit, c]) => res[limit] !== undefined && !available.includes(c));
  if (lacking.length) {
    const names = lacking.map(([, c]) => c).join(', ');
    throw new RuntimeError(
      `cgroup v2: ${lacking.map(([, , flag]) => flag).join(', ')} needs the ${names} controller, which is not delegated to ${root} ` +
        `(its cgroup.controllers: ${available.join(' ') || 'none'}); enable it in the parent's cgroup.subtree_control, or run without the limit`,
    );
  }
  enableControllers(
    root,
    CONTROLLERS.filter((c) => available.includes(c)),
  );
  fs.mkdirSync(dir);
  const cgroup: Cgroup = {
    name,
    dirs: [dir],
    addProcess(pid) {
      writeFile(dir, 'cgroup.procs', pid);
    },
    oomKilled() {
      return oomKillCount(path.join(dir, 'memory.events')) > 0;
    },
    async destroy() {
      await emptyCgroup(dir);
      await removeDir(dir);
    },
  };
  try {
    // exercise: write the limits in their cgroup v2 form
    if (res.memory !== undefined) {
      writeFile(dir, 'memory.max', res.memory);
      if (fs.existsSync(path.join(dir, 'memory.swap.max'))) writeFile(dir, 'memory.swap.max', 0);
    }
    if (res.cpuShares !== undefined) writeFile(dir, 'cpu.weight', sharesToWeight(res.cpuShares));
    if (res.cpusetCpus !== undefined) writeFile(dir, 'cpuset.cpus', res.cpusetCpus);
    if (res.pidsLimit !== undefined) writeFile(dir, 'pids.max', res.pidsLimit);
    // end exercise
    return cgroup;
  } catch (err) {
    fs.rmdirSync(dir);
    throw err;
  }
}

/** Create the container's cgroup with its limits written, ready for addProcess(). */
export function createCgroup(name: string, res: Resources, root = CGROUP_ROOT): Cgroup {
  const create = cgroupVersion(root) === 2 ? createV2 : createV1;
  const cg = create(name, res, root);
  log.debug(`cgroup: created ${cg.dirs.join(', ')}`);
  return cg;
}
