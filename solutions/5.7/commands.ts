// Chapter 5.7 — the commands of this stage: `run IMAGE COMMAND`, and `images`.

import type { Command } from '../../src/runtime/entry.ts';
import { runCommand } from '../3.1/commands.ts';
import { monitor } from '../5.1/detach.ts';
import { commands as base } from '../5.6/commands.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { images } from './images.ts';
import { run, start } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand(
    'Create and run a container: run [-d] [-ti] [--name NAME] [-m SIZE] [-v HOST:CONTAINER[:ro]]... [IMAGE] COMMAND [ARG...]',
    (args) => parseRunArgs(args),
    run,
    runHelp,
  ),
  monitor: { ...base.monitor!, run: () => monitor(start) },
  images: { summary: 'List the images: images', run: (args) => images(args) },
};
