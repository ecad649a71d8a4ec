// Chapter 5.7 — the commands of this stage: `run IMAGE COMMAND`, `images`, and `ps` with
// each container's image.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { monitor } from '../5.1/detach.ts';
import { commands as base } from '../5.6/commands.ts';
import { runCommandLine } from './cli.ts';
import { images } from './images.ts';
import { ps } from './ps.ts';
import { run, start } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  monitor: { ...base.monitor!, run: () => monitor(start) },
  ps: {
    ...base.ps!,
    summary: 'List the containers: ID, NAME, PID, STATUS, IMAGE, COMMAND, CREATED',
    run: (args) => ps(args),
  },
  images: { summary: 'List the images: images', run: (args) => images(args) },
};
