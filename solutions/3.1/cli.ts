// Chapter 3.1 — the `run` command line: which flags exist and what they mean.
// Parsing itself is machinery (src/runtime/flags.ts); this file only declares the flags and
// checks what the chapter needs.

import { UsageError } from '../../src/runtime/errors.ts';
import { flagHelp, parseFlags, type FlagSpec, type FlagValues } from '../../src/runtime/flags.ts';

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'tty', aliases: ['t'], kind: 'bool', help: "Attach the container to this terminal (the book's -ti)" },
  { name: 'interactive', aliases: ['i'], kind: 'bool', help: 'Keep stdin open for the container' },
];

export interface RunOptions {
  tty: boolean;
  interactive: boolean;
  /** The command and its arguments, exactly as given. */
  command: string[];
}

export function runHelp(flags: FlagSpec[] = RUN_FLAGS): string {
  return `Usage: mydocker run [OPTIONS] COMMAND [ARG...]\n\nOptions:\n${flagHelp(flags)}`;
}

/**
 * Parse `run`'s argv. Later chapters pass their longer flag list and read their own
 * flags from the returned `flags`.
 */
export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS): RunOptions & { flags: FlagValues } {
  const { flags, rest } = parseFlags(argv, specs);
  if (rest.length === 0) throw new UsageError('run: missing the command to run (e.g. run -ti sh)');
  return { tty: flags.tty === true, interactive: flags.interactive === true, command: rest, flags };
}
