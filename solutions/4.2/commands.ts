// Chapter 4.2 — the commands of this stage: `run` starts the container on a write layer over the
// busybox image.

import type { Command } from '../../src/runtime/entry.ts';
import { parseRunArgs, runHelp } from '../3.2/cli.ts';
import { runCommand } from '../3.1/commands.ts';
import { commands as base } from '../4.1/commands.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand(base.run!.summary, (args) => parseRunArgs(args), run, runHelp),
  init: { ...base.init!, run: () => init() },
};
