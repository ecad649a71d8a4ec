// Chapter 3.2 — `run` gains the resource flags. The book's spellings (-cpushare,
// -cpuset) are accepted next to Docker's (--cpu-shares, --cpuset-cpus).

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../3.1/cli.ts';
import { parseResources, type Resources } from './cgroups/resources.ts';

export interface RunOptions extends BaseOptions {
  resources: Resources;
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    { name: 'memory', aliases: ['m'], kind: 'string', value: 'SIZE', help: 'Memory limit, e.g. 100m' },
    {
      name: 'cpu-shares',
      aliases: ['cpushare', 'c'],
      kind: 'string',
      value: 'N',
      help: 'Relative CPU weight (default 1024)',
    },
    {
      name: 'cpuset-cpus',
      aliases: ['cpuset'],
      kind: 'string',
      value: 'CPUS',
      help: 'CPUs the container may use, e.g. 0 or 0-1',
    },
    { name: 'pids-limit', kind: 'string', value: 'N', help: 'Most processes the container may have' },
  ],
  options: (flags) => ({ resources: parseResources(flags) }),
});
