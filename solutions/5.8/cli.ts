// Chapter 5.8 — `run` gains -e KEY=VALUE (repeatable), checked before anything starts.

import type { FlagSpec, FlagValues } from '../../src/runtime/flags.ts';
import { parseRunArgs as parse57, RUN_FLAGS as BASE_FLAGS, runHelp as baseHelp, type RunOptions as BaseOptions } from '../5.7/cli.ts';
import { buildEnv } from './env.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'env', aliases: ['e'], kind: 'list', value: 'KEY=VALUE', help: "Set an environment variable (KEY alone: the host's value)" },
];

export interface RunOptions extends BaseOptions {
  /** the container's whole environment, "KEY=VALUE" each */
  env: string[];
}

export const runHelp = (flags: FlagSpec[] = RUN_FLAGS) => baseHelp(flags);

export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS): RunOptions & { flags: FlagValues } {
  const base = parse57(argv, specs);
  return { ...base, env: buildEnv(base.flags.env as string[]) };
}
