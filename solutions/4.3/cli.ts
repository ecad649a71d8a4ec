// Chapter 4.3 — `run` gains -v HOST:CONTAINER[:ro|rw], repeatable.

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../3.2/cli.ts';
import { parseVolumes, type Volume } from './volumes.ts';

export interface RunOptions extends BaseOptions {
  volumes: Volume[];
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    {
      name: 'volume',
      aliases: ['v'],
      kind: 'list',
      value: 'HOST:CONTAINER[:ro]',
      help: 'Mount a host directory or file into the container',
    },
  ],
  options: (flags) => ({ volumes: parseVolumes(flags.volume) }),
});
