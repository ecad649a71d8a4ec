// Chapter 3.1 — the commands this stage understands: `run`, and the hidden `init`
// that `run` starts inside the new namespaces. Later stages extend this table.

import type { Command } from '../../src/runtime/entry.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

/** A `run` command: parsed, then started; `run --help` prints `help()` (src/runtime/entry.ts). */
export function runCommand<O>(summary: string, parse: (args: string[]) => O, start: (opts: O) => Promise<number>, help: () => string): Command {
  return { summary, help, run: (args) => start(parse(args)) };
}

export const commands: Record<string, Command> = {
  run: runCommand('Create and run a container: run [-ti] COMMAND [ARG...]', parseRunArgs, run, runHelp),
  init: {
    summary: 'Inside the container: set it up and exec the command (started by run)',
    hidden: true,
    run: (args) => init(args),
  },
};
