// Chapter 5.7 — the commands of this stage: `run IMAGE COMMAND`, and `images`.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { monitor } from '../5.1/detach.ts';
import { commands as base } from '../5.6/commands.ts';
import { runCommandLine } from './cli.ts';
import { images } from './images.ts';
import { run, start } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  monitor: { ...base.monitor!, run: () => monitor(start) },
  images: { summary: 'List the images: images', run: (args) => images(args) },
};
