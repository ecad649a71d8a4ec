// Chapter 4.3 — the commands of this stage: `run` takes -v volumes.

import type { Command } from '../../src/runtime/entry.ts';
import { runCommand } from '../3.1/commands.ts';
import { commands as base } from '../4.2/commands.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand('Create and run a container: run [-ti] [-m SIZE] [-v HOST:CONTAINER[:ro]]... COMMAND [ARG...]', parseRunArgs, run, runHelp),
  init: { ...base.init!, run: () => init() },
};
