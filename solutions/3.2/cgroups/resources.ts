// Chapter 3.2 — the resource limits a user asks for, checked and converted before any
// cgroup exists: a bad value fails here with a clear message (exit 125).

import os from 'node:os';
import { UsageError } from '../../../src/runtime/errors.ts';

export interface Resources {
  /** memory limit in bytes (-m) */
  memory?: number;
  /** relative CPU weight on cgroup v1's scale, 2..262144, default 1024 (--cpu-shares) */
  cpuShares?: number;
  /** CPUs the container may run on, e.g. "0" or "0-1,3" (--cpuset-cpus) */
  cpusetCpus?: string;
  /** most processes the container may have (--pids-limit) */
  pidsLimit?: number;
}

/** Docker's smallest accepted memory limit: below it a container cannot even start. */
export const MIN_MEMORY = 6 * 1024 * 1024;

/**
 * The smallest --pids-limit that works: pids.max counts threads, and the container's
 * init is a Node process with a dozen threads until it execs the command. Below this,
 * init cannot even start (Node aborts creating a thread).
 */
export const MIN_PIDS = 32;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "100m" → 104857600. Units are powers of 1024, as in Docker: b, k, m, g, t (also kb, MiB, …). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`invalid size "${text}": use a number with an optional unit b, k, m, g (e.g. 100m)`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`invalid size "${text}": too large`);
  return bytes;
}

/**
 * cgroup v2 has cpu.weight (1..10000, default 100) where v1 had cpu.shares (2..262144,
 * default 1024). This is runc's current mapping: a curve in log space through the
 * three points min→min, default→default, max→max, so 1024 shares become weight 100.
 */
export function sharesToWeight(shares: number): number {
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(10 ** exponent);
}

/** Check a cpuset list ("0", "0-2,4") against the CPUs this machine has. */
export function checkCpuset(text: string, cpuCount = os.cpus().length): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) {
    throw new UsageError(`invalid --cpuset-cpus "${text}": use CPU numbers and ranges, e.g. 0 or 0-1,3`);
  }
  for (const part of text.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number);
    if (hi! < lo!) throw new UsageError(`invalid --cpuset-cpus "${text}": range ${part} goes backwards`);
    if (hi! >= cpuCount) {
      throw new UsageError(`invalid --cpuset-cpus "${text}": this machine has CPUs 0-${cpuCount - 1}`);
    }
  }
  return text;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`invalid ${flag} "${text}": use a whole number from ${min} to ${max}`);
  }
  return n;
}

/** The values of the resource flags, as given on the command line (cli.ts). */
export interface ResourceFlags {
  memory?: string;
  'cpu-shares'?: string;
  'cpuset-cpus'?: string;
  'pids-limit'?: string;
}

/** Turn the run flags into checked Resources. */
export function parseResources(flags: ResourceFlags): Resources {
  const res: Resources = {};
  // exercise: check the memory, cpu-shares, cpuset-cpus and pids-limit flags
  if (typeof flags.memory === 'string') {
    res.memory = parseSize(flags.memory);
    if (res.memory < MIN_MEMORY) {
      throw new UsageError(`invalid memory limit "${flags.memory}": the minimum is 6m`);
    }
  }
  if (typeof flags['cpu-shares'] === 'string')
    res.cpuShares = parseInteger('--cpu-shares', flags['cpu-shares'], 2, 262144);
  if (typeof flags['cpuset-cpus'] === 'string') res.cpusetCpus = checkCpuset(flags['cpuset-cpus']);
  if (typeof flags['pids-limit'] === 'string')
    res.pidsLimit = parseInteger('--pids-limit', flags['pids-limit'], MIN_PIDS, 4194304);
  // end exercise
  return res;
}
