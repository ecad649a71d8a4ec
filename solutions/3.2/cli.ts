// Chapter 3.2 — `run` gains the resource flags. The book's spellings (-cpushare,
// -cpuset) are accepted next to Docker's (--cpu-shares, --cpuset-cpus).

import type { FlagSpec } from '../../src/runtime/flags.ts';
import { parseRunArgs as parseBase, RUN_FLAGS as BASE_FLAGS, runHelp as baseHelp, type RunOptions as BaseOptions } from '../3.1/cli.ts';
import { parseResources, type Resources } from './cgroups/resources.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'memory', aliases: ['m'], kind: 'string', value: 'SIZE', help: 'Memory limit, e.g. 100m' },
  { name: 'cpu-shares', aliases: ['cpushare', 'c'], kind: 'string', value: 'N', help: 'Relative CPU weight (default 1024)' },
  { name: 'cpuset-cpus', aliases: ['cpuset'], kind: 'string', value: 'CPUS', help: 'CPUs the container may use, e.g. 0 or 0-1' },
  { name: 'pids-limit', kind: 'string', value: 'N', help: 'Most processes the container may have' },
];

export interface RunOptions extends BaseOptions {
  resources: Resources;
}

export const runHelp = (flags: FlagSpec[] = RUN_FLAGS) => baseHelp(flags);

/** Parse `run`'s argv; later chapters pass their longer flag list. */
export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS) {
  const base = parseBase(argv, specs);
  return { ...base, resources: parseResources(base.flags) };
}
