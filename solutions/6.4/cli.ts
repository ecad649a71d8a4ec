// Chapter 6.4 — `run` gains -p HOST:CONTAINER[/tcp|udp] (repeatable; Docker's
// --publish too): a port of the host that reaches a port of the container. Checked
// before anything starts: the numbers, the protocol, no host port twice, and a network
// to publish on (--net).

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../6.3/cli.ts';

export interface PortMapping {
  host: number;
  container: number;
  proto: 'tcp' | 'udp';
}

export interface RunOptions extends BaseOptions {
  ports: PortMapping[];
}

const port = (text: string, spec: string): number => {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535)
    throw new UsageError(`invalid -p "${spec}": ports are numbers from 1 to 65535 (e.g. -p 8080:80)`);
  return n;
};

/** "8080:80", "53:53/udp" → a mapping. */
export function parsePort(spec: string): PortMapping {
  // exercise: split HOST:CONTAINER[/PROTO], check both ports and the protocol
  const m = /^([^:/]*):([^:/]*)(?:\/(.*))?$/.exec(spec);
  if (!m) throw new UsageError(`invalid -p "${spec}": expected HOST:CONTAINER[/tcp|udp] (e.g. -p 8080:80)`);
  const proto = m[3] ?? 'tcp';
  if (proto !== 'tcp' && proto !== 'udp') throw new UsageError(`invalid -p "${spec}": the protocol is tcp or udp`);
  return { host: port(m[1]!, spec), container: port(m[2]!, spec), proto };
  // end exercise
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [
    {
      name: 'publish',
      aliases: ['p'],
      kind: 'list',
      value: 'HOST:CONTAINER[/PROTO]',
      help: "Publish a container's port on the host (tcp or udp; tcp by default)",
    },
  ],
  options: (flags, opts) => {
    const ports = flags.publish.map(parsePort);
    if (ports.length && !opts.net)
      throw new UsageError('-p needs a network to publish on: add --net NETWORK (see network ls)');
    const seen = new Set<string>();
    for (const p of ports) {
      const key = `${p.host}/${p.proto}`;
      if (seen.has(key)) throw new UsageError(`-p: host port ${key} is given twice`);
      seen.add(key);
    }
    return { ports };
  },
});
