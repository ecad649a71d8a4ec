// Chapter 5.8 — the commands of this stage: `run -e KEY=VALUE`, and an init that uses it.

import type { Command } from '../../src/runtime/entry.ts';
import { runCommand } from '../3.1/commands.ts';
import { monitor } from '../5.1/detach.ts';
import { commands as base } from '../5.7/commands.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { init } from './init.ts';
import { run, start } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand(
    'Create and run a container: run [-d] [-ti] [--name NAME] [-e KEY=VALUE]... [-m SIZE] [-v HOST:CONTAINER[:ro]]... [IMAGE] COMMAND [ARG...]',
    (args) => parseRunArgs(args),
    run,
    runHelp,
  ),
  init: { ...base.init!, run: () => init() },
  monitor: { ...base.monitor!, run: () => monitor(start) },
};
