// Chapter 6.2 — networks: `network create`, `ls` and `rm`. A network is a name, a driver
// (only "bridge", as in the book), a subnet and its gateway, kept as
//
//   <state root>/network/networks/<name>.json
//
// (the book's /var/run/mydocker/network/network/<name>). Everything here happens under
// the network lock of 6.1, so two `network create`s at once cannot both take a subnet
// or a name, and a `run` never takes an address of a network being removed.
//
// What is checked before anything is made, each a mistake the book lets through:
//  - the name fits a Linux interface name (the bridge is called after the network);
//  - the name is not already an interface of the host: the book would then put the
//    gateway address on that interface (on `eth0`, say) and take over the host's NIC;
//  - the subnet overlaps neither another network nor a network the host reaches
//    directly (an address or route of its own): routes to it would clash.
// The record is written before the bridge is made, so a create killed half-way is
// still known and `network rm` can finish it off; a create that fails removes what it
// made (removeBridge is safe to run on a half-made network) and its record.

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { allocations, dropPool, networkDir, withNetworkLock } from '../6.1/ipam.ts';
import { formatAddress, formatSubnet, gatewayOf, overlaps, parseSubnet, type Subnet } from '../6.1/subnet.ts';
import { createBridge, linkExists, MAX_IFNAME, removeBridge } from './bridge.ts';
import { ip } from './tools.ts';

export interface Network {
  name: string;
  driver: 'bridge';
  /** "192.168.10.0/24" */
  subnet: string;
  /** "192.168.10.1": the bridge's address, the containers' default route */
  gateway: string;
  /** the bridge interface (its name is the network's) */
  bridge: string;
}

export const DRIVERS = ['bridge'];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function networksDir(root?: string): string {
  return path.join(networkDir(root), 'networks');
}

function networkFile(name: string, root?: string): string {
  return path.join(networksDir(root), `${name}.json`);
}

export function readNetwork(name: string, root?: string): Network | undefined {
  try {
    return JSON.parse(fs.readFileSync(networkFile(name, root), 'utf8')) as Network;
  } catch {
    return undefined;
  }
}

/** The network called `name`, or a usage error that says how to list them. */
export function findNetwork(name: string, root?: string): Network {
  const net = readNetwork(name, root);
  if (!net) throw new UsageError(`no such network: ${name} (see network ls)`);
  return net;
}

export function listNetworks(root?: string): Network[] {
  let files: string[];
  try {
    files = fs.readdirSync(networksDir(root)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .map((f) => readNetwork(f.slice(0, -5), root))
    .filter((n): n is Network => !!n)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function writeNetwork(net: Network, root?: string): void {
  const file = networkFile(net.name, root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(net, null, 2) + '\n');
  fs.renameSync(`${file}.tmp-${process.pid}`, file);
}

export const subnetOf = (net: Network): Subnet => parseSubnet(net.subnet);

/** The subnets the host reaches directly: those of its addresses and of its routes. */
function hostSubnets(): Array<{ subnet: Subnet; where: string }> {
  const found: Array<{ subnet: Subnet; where: string }> = [];
  for (const line of ip('-4', '-o', 'addr', 'show').split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(line); // "2: eth0    inet 10.0.0.5/24 brd …"
    if (m && !m[2]!.startsWith('127.'))
      found.push({
        subnet: parseSubnet(m[2]!.includes('/') ? m[2]! : `${m[2]}/32`),
        where: `the address ${m[2]} of ${m[1]}`,
      });
  }
  for (const line of ip('-4', 'route', 'show').split('\n')) {
    const dest = line.split(' ')[0];
    if (!dest || dest === 'default') continue;
    const text = dest.includes('/') ? dest : `${dest}/32`;
    found.push({ subnet: parseRoute(text), where: `the host's route ${line.trim()}` });
  }
  return found;
}

/** A route's destination, of any prefix length (parseSubnet takes only what a network may have). */
function parseRoute(text: string): Subnet {
  const [addr, len] = text.split('/');
  const prefix = Number(len);
  const n = addr!.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (n & mask) >>> 0, prefix };
}

/** Check what `network create` was given (see the top of this file), before anything is made. */
export function checkNewNetwork(name: string, subnet: Subnet, driver: string, root?: string): void {
  if (!DRIVERS.includes(driver)) throw new UsageError(`unknown network driver "${driver}": the only driver is bridge`);
  // exercise: refuse a bad or too long name, a name that is taken or is a host interface, and an overlapping subnet
  if (!NAME.test(name) || name.length > MAX_IFNAME) {
    throw new UsageError(
      `invalid network name "${name}": use 1 to ${MAX_IFNAME} letters, digits, '_', '.' or '-' (it names the bridge interface, IFNAMSIZ)`,
    );
  }
  if (readNetwork(name, root)) throw new UsageError(`network ${name} already exists`);
  if (linkExists(name))
    throw new UsageError(`network name ${name} is already a network interface of the host: choose another name`);
  for (const other of listNetworks(root)) {
    if (overlaps(subnet, subnetOf(other)))
      throw new UsageError(`subnet ${formatSubnet(subnet)} overlaps network ${other.name} (${other.subnet})`);
  }
  for (const h of hostSubnets()) {
    if (overlaps(subnet, h.subnet)) throw new UsageError(`subnet ${formatSubnet(subnet)} overlaps ${h.where}`);
  }
  // end exercise
}

/** `network create`: check, record, then make the bridge and its rules. */
export function createNetwork(name: string, subnetText: string, driver = 'bridge', root?: string): Network {
  const subnet = parseSubnet(subnetText);
  return withNetworkLock(() => {
    checkNewNetwork(name, subnet, driver, root);
    const net: Network = {
      name,
      driver: 'bridge',
      subnet: formatSubnet(subnet),
      gateway: formatAddress(gatewayOf(subnet)),
      bridge: name,
    };
    writeNetwork(net, root);
    try {
      createBridge(net);
    } catch (err) {
      removeBridge(net);
      fs.rmSync(networkFile(name, root), { force: true });
      throw err;
    }
    return net;
  }, root);
}

/**
 * `network rm`: refused while any address of the network is held; then the bridge, the
 * rules, the address pool and the record go. A network whose bridge or rules are gone
 * already (removed by hand, or a create killed half-way) is removed all the same.
 */
export function removeNetwork(name: string, root?: string): void {
  withNetworkLock(() => {
    const net = findNetwork(name, root);
    const held = allocations(subnetOf(net), root);
    if (Object.keys(held).length) {
      throw new RuntimeError(
        `network ${name} is in use by ${[...new Set(Object.values(held))].join(', ')}: remove those containers first`,
      );
    }
    removeBridge(net);
    dropPool(subnetOf(net), root);
    fs.rmSync(networkFile(name, root), { force: true });
  }, root);
}
