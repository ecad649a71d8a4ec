// Chapter 5.2 — `run` gains --name: a name of the user's choosing, unique among the
// containers (names.ts); without it one is made up.

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../5.1/cli.ts';
import { checkName } from './names.ts';

export interface RunOptions extends BaseOptions {
  name?: string;
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    { name: 'name', kind: 'string', value: 'NAME', help: 'A name for the container (unique; made up if not given)' },
  ],
  options: (flags) => ({ name: flags.name === undefined ? undefined : checkName(flags.name) }),
});
