// Chapter 5.1 — the commands of this stage: `run -d`, and the hidden `monitor` that
// watches a detached container in its place.

import type { Command } from '../../src/runtime/entry.ts';
import { runCommand } from '../3.1/commands.ts';
import { commands as base } from '../4.4/commands.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { monitor, removeLog } from './detach.ts';
import { run } from './run.ts';
import { startContainer } from './start.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand('Create and run a container: run [-d] [-ti] [-m SIZE] [-v HOST:CONTAINER[:ro]]... COMMAND [ARG...]', (args) => parseRunArgs(args), run, runHelp),
  monitor: {
    summary: 'Watch a detached container: start it, wait for it, clean up (started by run -d)',
    hidden: true,
    run: () => monitor(startContainer, removeLog),
  },
};
