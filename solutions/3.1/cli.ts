// Chapter 3.1 — the `run` command line: which flags exist and what they mean.
// Parsing itself is machinery (src/runtime/command-line.ts): this file declares the
// flags and turns their values into the options a container is started with. Later
// chapters stack their own flags on this command line (3.2's cli.ts is the next layer).

import { commandLine } from '../../src/runtime/command-line.ts';
import { UsageError } from '../../src/runtime/errors.ts';

export interface RunOptions {
  tty: boolean;
  interactive: boolean;
  /** The command and its arguments, exactly as given. */
  command: string[];
}

export const runCommandLine = commandLine({
  name: 'run',
  summary: 'Create and run a container',
  operands: 'COMMAND [ARG...]',
  flags: [
    { name: 'tty', aliases: ['t'], kind: 'bool', help: "Attach the container to this terminal (the book's -ti)" },
    { name: 'interactive', aliases: ['i'], kind: 'bool', help: 'Keep stdin open for the container' },
  ],
  options: (flags, operands): RunOptions => {
    if (operands.length === 0) throw new UsageError('run: missing the command to run (e.g. run -ti sh)');
    return { tty: flags.tty === true, interactive: flags.interactive === true, command: operands };
  },
});
