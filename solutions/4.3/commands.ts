// Chapter 4.3 — the commands of this stage: `run` takes -v volumes.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../4.2/commands.ts';
import { runCommandLine } from './cli.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: () => init() },
};
