// Chapter 5.9 — `run` takes no new flag, but -t now means a terminal of the container's
// own, and -t with -i reads keys from the user's terminal: without one on stdin it is
// refused before anything starts (exit 125), as Docker refuses it.

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions } from '../5.8/cli.ts';
import { checkTerminalFlags } from './terminal.ts';

export type { RunOptions };

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [],
  options: (_flags, opts) => {
    checkTerminalFlags(opts.tty, opts.interactive);
    return {};
  },
});
