// Chapter 4.3 — `run` gains -v HOST:CONTAINER[:ro|rw], repeatable.

import type { FlagSpec } from '../../src/runtime/flags.ts';
import { parseRunArgs as parseBase, RUN_FLAGS as BASE_FLAGS, runHelp as baseHelp, type RunOptions as BaseOptions } from '../3.2/cli.ts';
import { parseVolumes, type Volume } from './volumes.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'volume', aliases: ['v'], kind: 'list', value: 'HOST:CONTAINER[:ro]', help: 'Mount a host directory or file into the container' },
];

export interface RunOptions extends BaseOptions {
  volumes: Volume[];
}

export const runHelp = () => baseHelp(RUN_FLAGS);

export function parseRunArgs(argv: string[]): RunOptions {
  const base = parseBase(argv, RUN_FLAGS);
  return { ...base, volumes: parseVolumes(base.flags.volume as string[]) };
}
