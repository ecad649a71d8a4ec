// Chapter 6.2 — the `network` command and its subcommands, with the book's spellings
// beside Docker's:
//
//   network create [--driver bridge] --subnet 192.168.10.0/24 NAME
//   network ls | list
//   network rm | remove NAME...

import { UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { log } from '../../src/runtime/log.ts';
import { table } from '../5.2/ps.ts';
import { createNetwork, listNetworks, removeNetwork } from './network.ts';

export const CREATE_FLAGS: FlagSpec[] = [
  {
    name: 'driver',
    aliases: ['d'],
    kind: 'string',
    value: 'DRIVER',
    help: 'The network driver (bridge, the default and only one)',
  },
  {
    name: 'subnet',
    kind: 'string',
    value: 'CIDR',
    help: 'The subnet, e.g. 192.168.10.0/24 (its first address is the gateway)',
  },
];

export const NETWORK_USAGE = [
  'Usage: mydocker network COMMAND',
  '',
  'Commands:',
  '  create [--driver bridge] --subnet CIDR NAME   Create a network (a bridge with the gateway address)',
  '  ls, list                                      List the networks',
  '  rm, remove NAME...                            Remove networks no container uses',
].join('\n');

/** What `network` does for each subcommand; `removeOne` is replaced by later chapters. */
export function networkCommand(removeOne: (name: string) => void = (name) => removeNetwork(name)) {
  return (args: string[]): number => {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'create': {
        const { flags, rest: names } = parseFlags(rest, CREATE_FLAGS);
        if (typeof flags.subnet !== 'string')
          throw new UsageError('network create: --subnet is required (e.g. --subnet 192.168.10.0/24)');
        if (names.length !== 1) throw new UsageError('usage: network create [--driver bridge] --subnet CIDR NAME');
        console.log(
          createNetwork(names[0]!, flags.subnet, typeof flags.driver === 'string' ? flags.driver : 'bridge').name,
        );
        return 0;
      }
      case 'ls':
      case 'list':
        if (rest.length) throw new UsageError(`network ${sub} takes no arguments`);
        console.log(
          table(
            ['NAME', 'DRIVER', 'SUBNET', 'GATEWAY'],
            listNetworks().map((n) => [n.name, n.driver, n.subnet, n.gateway]),
          ),
        );
        return 0;
      case 'rm':
      case 'remove': {
        if (rest.length === 0) throw new UsageError(`usage: network ${sub} NAME [NAME...]`);
        let failed = 0;
        for (const name of rest) {
          try {
            removeOne(name);
            console.log(name);
          } catch (err) {
            log.error((err as Error).message); // go on with the others, as docker network rm does
            failed++;
          }
        }
        return failed ? 125 : 0;
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(NETWORK_USAGE);
        return sub === undefined ? 125 : 0;
      default:
        throw new UsageError(`unknown network command "${sub}"\n${NETWORK_USAGE}`);
    }
  };
}
