// Chapter 6.3 — `run` gains --net NAME (Docker's --network too): the network the
// container joins. It must exist; that is checked before anything starts.

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../5.9/cli.ts';
import { findNetwork } from '../6.2/network.ts';

export interface RunOptions extends BaseOptions {
  /** the network to join, if any */
  net?: string;
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    {
      name: 'net',
      aliases: ['network'],
      kind: 'string',
      value: 'NETWORK',
      help: 'Connect the container to a network (see network ls)',
    },
  ],
  options: (flags) => {
    if (flags.net !== undefined) findNetwork(flags.net);
    return { net: flags.net };
  },
});
