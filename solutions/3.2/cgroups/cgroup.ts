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

function createV2(name: string, res: Resources, root: string): Cgroup {
  const dir = path.join(root, name);
  const available = readFile(root, 'cgroup.controllers').split(/\s+/);
  // A v2 child only gets the controllers its parent lists in cgroup.subtree_control.
  for (const c of CONTROLLERS) {
    if (available.includes(c)) writeFile(root, 'cgroup.subtree_control', `+${c}`);
  }
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
