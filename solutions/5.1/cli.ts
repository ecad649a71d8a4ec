// Chapter 5.1 — `run` gains -d (--detach): start the container in the background and
// print its id. -d with -t is refused before anything is created, as the book does:
// this runtime gives a detached container no terminal to attach to later (Docker
// accepts -dit because `docker attach` can reach the terminal it keeps).

import { UsageError } from '../../src/runtime/errors.ts';
import type { FlagSpec, FlagValues } from '../../src/runtime/flags.ts';
import { parseRunArgs as parse32, runHelp as baseHelp } from '../3.2/cli.ts';
import { RUN_FLAGS as BASE_FLAGS, type RunOptions as BaseOptions } from '../4.3/cli.ts';
import { parseVolumes } from '../4.3/volumes.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'detach', aliases: ['d'], kind: 'bool', help: 'Run the container in the background and print its id' },
];

export interface RunOptions extends BaseOptions {
  detach: boolean;
}

export const runHelp = (flags: FlagSpec[] = RUN_FLAGS) => baseHelp(flags);

/** Parse `run`'s argv (4.3's flags plus -d); later chapters pass their longer flag list. */
export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS): RunOptions & { flags: FlagValues } {
  const base = parse32(argv, specs);
  const detach = base.flags.detach === true;
  // exercise: refuse -d together with -t
  if (detach && base.tty) throw new UsageError('-d and -t cannot be used together: a detached container has no terminal');
  // end exercise
  return { ...base, volumes: parseVolumes(base.flags.volume as string[]), detach };
}
