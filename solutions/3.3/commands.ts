// Chapter 3.3 — the commands of this stage: `run` and `init` now talk through a pipe.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../3.2/commands.ts';
import { parseRunArgs, runHelp } from '../3.2/cli.ts';
import { runCommand } from '../3.1/commands.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand(base.run!.summary, (args) => parseRunArgs(args), run, runHelp),
  init: { ...base.init!, run: () => init() },
};
