// Chapter 6.4 — published ports: a DNAT rule per port, in the network's MYDNAT-<net>
// chain (6.2), which is entered for packets to one of the host's own addresses:
//
//   PREROUTING  (from outside, and from containers: hairpin)    ─┐  -m addrtype --dst-type LOCAL
//   OUTPUT      (from the host itself, not 127.0.0.0/8)          ─┴▶ MYDNAT-<net>
//      -p tcp --dport 8080 -m comment --comment mydocker:<id> -j DNAT --to-destination 10.0.0.2:80
//
// The book adds `-A PREROUTING -p tcp --dport 8080 -j DNAT …` and nothing else: the host
// itself cannot reach the port (its own packets never pass PREROUTING), and the rule
// catches every packet to port 8080 *whatever its destination* — a container fetching
// some web site on that port ends up at the published container instead. The
// LOCAL-destination match is what Docker uses too. A container reaching a published port
// of the host (hairpin) works through 6.2's MASQUERADE of DNAT-ed traffic that goes
// back out of the bridge: the answer then returns through the host, which un-NATs it;
// and through hairpin mode on the bridge port when the container is its own client.
//
// Two containers cannot publish the same host port: the claim is recorded under the
// network lock (6.1), in <state root>/network/ports.json, {"8080/tcp": "<container id>"}.
// Every rule carries its container's id as a comment, so the rules of a container can
// be found again — on its end, and after a killed runtime (reclaimPorts).

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { networkDir, withNetworkLock } from '../6.1/ipam.ts';
import { dnatChain } from '../6.2/bridge.ts';
import { listNetworks, readNetwork, type Network } from '../6.2/network.ts';
import { iptables, succeeds, tool } from '../6.2/tools.ts';
import { holderGone } from '../6.3/endpoint.ts';
import type { PortMapping } from './cli.ts';

const portsFile = () => path.join(networkDir(), 'ports.json');
const key = (p: PortMapping) => `${p.host}/${p.proto}`;
const tag = (id: string) => `mydocker:${id}`;

function readClaims(): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(portsFile(), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeClaims(claims: Record<string, string>): void {
  fs.mkdirSync(path.dirname(portsFile()), { recursive: true });
  const tmp = `${portsFile()}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(claims, null, 2) + '\n');
  fs.renameSync(tmp, portsFile());
}

/** Claim the host ports for container `id`: all of them, or none (exit 125 if one is taken). */
export function claimPorts(id: string, ports: PortMapping[]): void {
  withNetworkLock(() => {
    const claims = readClaims();
    // exercise: refuse a host port another container holds; else record them all
    for (const p of ports) {
      const holder = claims[key(p)];
      if (holder !== undefined && holder !== id)
        throw new RuntimeError(`port ${key(p)} is already published by container ${holder}`);
    }
    for (const p of ports) claims[key(p)] = id;
    writeClaims(claims);
    // end exercise
  });
}

/** The DNAT rule of one published port, as iptables arguments after the chain. */
function dnatRule(id: string, ip: string, p: PortMapping): string[] {
  // exercise: the packets to the host port, marked with the container's id, sent on to the container's address and port
  return [
    '-p',
    p.proto,
    '--dport',
    String(p.host),
    '-m',
    'comment',
    '--comment',
    tag(id),
    '-j',
    'DNAT',
    '--to-destination',
    `${ip}:${p.container}`,
  ];
  // end exercise
}

/**
 * The `ip` command for the container's bridge port when it publishes ports (given to 6.3's
 * connect, which runs it with the others). A container that reaches its *own* published
 * port sends a packet in through its bridge port that must go back out of the same port
 * once it is DNAT-ed (with bridge netfilter on, the DNAT happens while the packet is
 * being bridged). A bridge never does that unless the port is in hairpin mode (man 8
 * ip-link, `bridge_slave … hairpin`).
 */
export function hairpin(hostIf: string, ports: PortMapping[]): string[] {
  return ports.length ? [`link set ${hostIf} type bridge_slave hairpin on`] : [];
}

/** Add the container's DNAT rules to its network's chain. */
export function publish(id: string, net: Network, ip: string, ports: PortMapping[]): void {
  for (const p of ports) iptables('-t', 'nat', '-A', dnatChain(net), ...dnatRule(id, ip, p));
}

/**
 * Remove every rule of the containers `which(id)` picks from every network's chain, and
 * their port claims. Rules are found by their comment (`iptables -S` prints each rule as
 * the arguments that made it, so `-A` becomes `-D` to delete it).
 */
function unpublishWhere(which: (id: string) => boolean): void {
  if (!fs.existsSync(networkDir())) return; // no network was ever made here
  withNetworkLock(() => {
    for (const net of listNetworks()) {
      let listed: string[];
      try {
        listed = tool('iptables', ['-w', '-t', 'nat', '-S', dnatChain(net)]).split('\n');
      } catch {
        continue; // the chain is gone (a network half removed): no rule of ours is left in it
      }
      for (const line of listed) {
        const m = / --comment "?mydocker:([0-9a-f]+)"? /.exec(line);
        if (!m || !which(m[1]!)) continue;
        iptables('-t', 'nat', '-D', ...line.replace(/"/g, '').split(' ').slice(1));
      }
    }
    const claims = readClaims();
    const kept = Object.fromEntries(Object.entries(claims).filter(([, id]) => !which(id)));
    if (Object.keys(kept).length !== Object.keys(claims).length) writeClaims(kept);
  });
}

/**
 * Remove container `id`'s rules and port claims (safe to repeat). Its rules are known
 * exactly — on the network and address of `endpoint`, if it got one — so each is deleted
 * by its own arguments, with no listing first.
 */
export function unpublish(id: string, ports: PortMapping[], endpoint?: { network: string; ip: string }): void {
  const net = endpoint && readNetwork(endpoint.network); // gone: its chains went with it
  if (net)
    for (const p of ports)
      succeeds('iptables', ['-w', '-t', 'nat', '-D', dnatChain(net), ...dnatRule(id, endpoint!.ip, p)]);
  withNetworkLock(() => {
    const claims = readClaims();
    const kept = Object.fromEntries(Object.entries(claims).filter(([, owner]) => owner !== id));
    if (Object.keys(kept).length !== Object.keys(claims).length) writeClaims(kept);
  });
}

/**
 * Remove the rules and claims of containers whose runtime is gone. A rule is only ever
 * added after its port was claimed, and its claim dropped only after the rule: so when no
 * claim has a dead holder, there is no rule to look for either (and no iptables to run).
 */
export function reclaimPorts(): void {
  if (!fs.existsSync(portsFile())) return;
  const stale = withNetworkLock(() => Object.values(readClaims()).some(holderGone));
  if (stale) unpublishWhere(holderGone);
}
