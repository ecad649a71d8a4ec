// Chapter 6.3 — connecting a container to a network: an endpoint is the container's
// address on it and the veth pair (man 4 veth) that carries its packets:
//
//   host netns                                  container netns (init's)
//   ┌──────────── bridge <net> 192.168.10.1 ┐   ┌───────────────────────────────────┐
//   │  md<id>  ◀════════ veth pair ═════════▶│   │ eth0 192.168.10.2/24, up          │
//   └───────────────────────────────────────┘   │ lo up; default via 192.168.10.1   │
//                                               └───────────────────────────────────┘
//
// The host end is created already paired with an end *in the container's namespace*
// (`ip link add … peer name eth0 netns PID`), then put on the bridge; the container end
// is set up from inside with `nsenter --net=/proc/PID/ns/net ip …`: Node cannot setns(2)
// into a network namespace itself (it is multi-threaded; the call moves only one thread,
// and the next `ip` it spawns may come from another). Each side is one `ip -batch`, so a
// connection costs two short processes.
//
// This happens after init has entered its namespaces and *before* the command goes
// down the pipe: the container's command never runs without its network.
//
// Giving back: the address is recorded in the pool under the container's id, so
//  - the runtime releases it when the container ends (start.ts), whatever the reason;
//  - if the runtime itself is killed, the veth goes by itself (a veth pair dies with
//    the namespace of either end, and the container's dies with its last process), and
//    the address is reclaimed by the next `run --net`, `rm`, `network rm` or `cleanup`:
//    every address whose container has no live runtime goes back (reclaimStale).

import fs from 'node:fs';
import path from 'node:path';
import { ownerAlive } from '../../src/runtime/leftovers.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { allocate, reclaim, release } from '../6.1/ipam.ts';
import { findNetwork, listNetworks, subnetOf, type Network } from '../6.2/network.ts';
import { tool } from '../6.2/tools.ts';

export interface Endpoint {
  network: string;
  bridge: string;
  /** "192.168.10.2" */
  ip: string;
  /** the subnet's prefix length */
  prefix: number;
  gateway: string;
  /** the host end of the veth pair */
  hostIf: string;
}

/** What this chapter adds to a container's state (5.2): its network and address, for `ps`. */
export interface NetworkState {
  network: string;
  ip: string;
}

/** The host end's name: IFNAMSIZ allows 15 characters; an id has 12. */
export const hostIfName = (id: string) => `md${id}`;

/** Take an address on network `name` for container `id`. */
export function allocateEndpoint(id: string, name: string): Endpoint {
  const net: Network = findNetwork(name);
  const subnet = subnetOf(net);
  const ip = allocate(subnet, id);
  return {
    network: net.name,
    bridge: net.bridge,
    ip,
    prefix: subnet.prefix,
    gateway: net.gateway,
    hostIf: hostIfName(id),
  };
}

/** Wire the container whose init is `pid` to its network (see the top of this file). */
export function connect(ep: Endpoint, pid: number, moreOnHost: string[] = []): void {
  const host: string[] = [];
  // exercise: create the veth pair with its peer as eth0 in the container's netns, and put the host end on the bridge, up
  host.push(
    `link add ${ep.hostIf} type veth peer name eth0 netns ${pid}`,
    `link set ${ep.hostIf} master ${ep.bridge} up`,
  );
  // end exercise
  // `moreOnHost`: more `ip` commands for the host end, in the same process (6.4's hairpin mode).
  tool('ip', ['-batch', '-'], [...host, ...moreOnHost].join('\n'));
  // exercise: inside the container's netns: lo up, the address on eth0, eth0 up, the default route via the gateway
  tool(
    'nsenter',
    [`--net=/proc/${pid}/ns/net`, 'ip', '-batch', '-'],
    [
      'link set lo up',
      `addr add ${ep.ip}/${ep.prefix} dev eth0`,
      'link set eth0 up',
      `route add default via ${ep.gateway}`,
    ].join('\n'),
  );
  // end exercise
}

/**
 * Undo connect: give the address back; safe to call on a half-made endpoint, and twice.
 * The veth needs nothing: by now the container's processes are gone, its network
 * namespace with them, and the pair with its end in there (the kernel finishes that a
 * moment later, in the background).
 */
export function disconnect(ep: Endpoint): void {
  let net: Network;
  try {
    net = findNetwork(ep.network);
  } catch {
    return; // the network is gone, and its pool with it
  }
  // exercise: give the container's address back to the pool
  release(subnetOf(net), ep.ip);
  // end exercise
}

/** Whether container `id` has no runtime any more (gone, or its runtime killed). */
export function holderGone(id: string): boolean {
  const dir = containerDir(id);
  // An address is taken only once the runtime has written its owner file, and given
  // back before the file goes: no owner file means no runtime.
  return !fs.existsSync(path.join(dir, 'owner')) || !ownerAlive(dir);
}

/** Give back every address whose container's runtime is gone; the addresses freed. */
export function reclaimStale(): string[] {
  return listNetworks().flatMap((net) => reclaim(subnetOf(net), holderGone));
}
