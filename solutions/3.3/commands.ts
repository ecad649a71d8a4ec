// Chapter 3.3 — the commands of this stage: `run` and `init` now talk through a pipe.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { runCommandLine } from '../3.2/cli.ts';
import { commands as base } from '../3.2/commands.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: () => init() },
};
