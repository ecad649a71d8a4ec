// Chapter 6.3 — `run` gains --net NAME (Docker's --network too): the network the
// container joins. It must exist; that is checked before anything starts.

import type { FlagSpec, FlagValues } from '../../src/flags.ts';
import { parseRunArgs as parse58, RUN_FLAGS as BASE_FLAGS, runHelp as baseHelp, type RunOptions as BaseOptions } from '../5.8/cli.ts';
import { findNetwork } from '../6.2/network.ts';

export const RUN_FLAGS: FlagSpec[] = [
  ...BASE_FLAGS,
  { name: 'net', aliases: ['network'], kind: 'string', value: 'NETWORK', help: 'Connect the container to a network (see network ls)' },
];

export interface RunOptions extends BaseOptions {
  /** the network to join, if any */
  net?: string;
}

export const runHelp = (flags: FlagSpec[] = RUN_FLAGS) => baseHelp(flags);

export function parseRunArgs(argv: string[], specs: FlagSpec[] = RUN_FLAGS): RunOptions & { flags: FlagValues } {
  const base = parse58(argv, specs);
  const net = base.flags.net as string | undefined;
  if (net !== undefined) findNetwork(net);
  return { ...base, net };
}
