// Chapter 5.8 — `run` gains -e KEY=VALUE (repeatable), checked before anything starts.

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../5.7/cli.ts';
import { buildEnv } from './env.ts';

export interface RunOptions extends BaseOptions {
  /** the container's whole environment, "KEY=VALUE" each */
  env: string[];
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    {
      name: 'env',
      aliases: ['e'],
      kind: 'list',
      value: 'KEY=VALUE',
      help: "Set an environment variable (KEY alone: the host's value)",
    },
  ],
  options: (flags) => ({ env: buildEnv(flags.env) }),
});
