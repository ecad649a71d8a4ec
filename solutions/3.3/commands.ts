// Chapter 3.3 — the commands of this stage: `run` and `init` now talk through a pipe.

import type { Command } from '../../src/entry.ts';
import { commands as base } from '../3.2/commands.ts';
import { parseRunArgs } from '../3.2/cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: { ...base.run!, run: (args) => (args[0] === '--help' ? base.run!.run(args) : run(parseRunArgs(args))) },
  init: { ...base.init!, run: () => init() },
};
