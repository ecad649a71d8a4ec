// Chapter 3.1 — the commands this stage understands: `run`, and the hidden `init`
// that `run` starts inside the new namespaces. Later stages extend this table.

import type { Command } from '../../src/entry.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  run: {
    summary: 'Create and run a container: run [-ti] COMMAND [ARG...]',
    run: (args) => (args[0] === '--help' ? (console.log(runHelp()), 0) : run(parseRunArgs(args))),
  },
  init: {
    summary: 'Inside the container: set it up and exec the command (started by run)',
    hidden: true,
    run: (args) => init(args),
  },
};
