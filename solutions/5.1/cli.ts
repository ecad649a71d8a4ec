// Chapter 5.1 — `run` gains -d (--detach): start the container in the background and
// print its id. -d with -t is refused before anything is created, as the book does:
// this runtime gives a detached container no terminal to attach to later (Docker
// accepts -dit because `docker attach` can reach the terminal it keeps).

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../4.3/cli.ts';

export interface RunOptions extends BaseOptions {
  detach: boolean;
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    { name: 'detach', aliases: ['d'], kind: 'bool', help: 'Run the container in the background and print its id' },
  ],
  options: (flags, opts) => {
    const detach = flags.detach === true;
    // exercise: refuse -d together with -t
    if (detach && opts.tty)
      throw new UsageError('-d and -t cannot be used together: a detached container has no terminal');
    // end exercise
    return { detach };
  },
});
