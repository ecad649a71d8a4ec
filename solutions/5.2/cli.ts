// Chapter 5.2 — `run` gains --name: a name of the user's choosing, unique among the
// containers (names.ts); without it one is made up.

import type { FlagSpec } from '../../src/runtime/flags.ts';
import { parseRunArgs as parse51, RUN_FLAGS as BASE_FLAGS, runHelp as baseHelp, type RunOptions as BaseOptions } from '../5.1/cli.ts';
import { checkName } from './names.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'name', kind: 'string', value: 'NAME', help: 'A name for the container (unique; made up if not given)' },
];

export interface RunOptions extends BaseOptions {
  name?: string;
}

export const runHelp = (flags: FlagSpec[] = RUN_FLAGS) => baseHelp(flags);

export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS): RunOptions {
  const base = parse51(argv, specs);
  const name = typeof base.flags.name === 'string' ? checkName(base.flags.name) : undefined;
  return { ...base, name };
}
