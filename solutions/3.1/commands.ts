// Chapter 3.1 — the commands this stage understands: `run`, and the hidden `init`
// that `run` starts inside the new namespaces. Later stages extend this table.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { runCommandLine } from './cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  run: commandFrom(runCommandLine, run),
  init: {
    summary: 'Inside the container: set it up and exec the command (started by run)',
    hidden: true,
    run: (args) => init(args),
  },
};
