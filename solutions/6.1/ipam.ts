// Chapter 6.1 — IPAM (IP address management): which container holds which address of a
// network's subnet, kept on disk so that every `run` of every runtime sees the same pool:
//
//   <state root>/network/ipam/192.168.10.0_24.json   {"addresses": {"192.168.10.2": "<owner>"}}
//   <state root>/network/lock                       held with flock(2) while the pool changes
//
// (the book keeps one bitmap string per subnet in /var/run/mydocker/network/ipam/subnet.json.)
// An owner is whoever holds the address — a container's id from 6.3 on — so an address
// whose holder is gone can be found and given back (`reclaim`).
//
// Two `run`s started at the same moment must never get the same address. Reading the
// file, picking a free address and writing the file back is three steps; another
// process between them would pick the same one. So the whole read-pick-write is done
// under an exclusive lock (man 2 flock: the kernel drops it when its holder dies, even by
// SIGKILL, so a crashed run never leaves the pool locked). And the file is written to a
// temporary name and renamed over the old one (man 2 rename), so a crash mid-write leaves
// the old pool whole, never half a file.

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { flock, LOCK_EX, LOCK_UN } from '../../src/runtime/sys.ts';
import { broadcastOf, formatAddress, formatSubnet, gatewayOf, parseAddress, type Subnet } from './subnet.ts';

/** Where the network state lives (networks from 6.2, the pools here). */
export function networkDir(root = stateRoot()): string {
  return path.join(root, 'network');
}

interface Pool {
  /** address → owner */
  addresses: Record<string, string>;
}

function poolPath(s: Subnet, root?: string): string {
  return path.join(networkDir(root), 'ipam', formatSubnet(s).replace('/', '_') + '.json');
}

function readPool(s: Subnet, root?: string): Pool {
  try {
    return JSON.parse(fs.readFileSync(poolPath(s, root), 'utf8')) as Pool;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { addresses: {} };
    throw new RuntimeError(`IPAM: cannot read ${poolPath(s, root)}: ${(err as Error).message}`);
  }
}

function writePool(s: Subnet, pool: Pool, root?: string): void {
  const file = poolPath(s, root);
  // exercise: write the pool to a temporary file and rename it over the old one
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(pool, null, 2) + '\n');
  fs.renameSync(tmp, file);
  // end exercise
}

/** How deep this process is in withNetworkLock (a holder may call it again). */
let depth = 0;

/**
 * Run `fn` holding the network lock of state root `root`: one process at a time, across
 * every runtime on this state root. `fn` is synchronous, so the lock is held only as long
 * as it takes to read and write a small file. Inside `fn`, withNetworkLock just runs its
 * function: a second flock on a new open of the file would wait for ourselves forever.
 */
export function withNetworkLock<T>(fn: () => T, root?: string): T {
  if (depth > 0) return fn();
  fs.mkdirSync(networkDir(root), { recursive: true });
  const fd = fs.openSync(path.join(networkDir(root), 'lock'), 'a');
  try {
    // exercise: hold an exclusive lock on the lock file while fn runs
    flock(fd, LOCK_EX);
    depth++;
    try {
      return fn();
    } finally {
      depth--;
      flock(fd, LOCK_UN);
    }
    // end exercise
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Give `owner` a free address of subnet `s`: the lowest one that is not the network
 * address, the gateway, the broadcast address or held by someone else.
 */
export function allocate(s: Subnet, owner: string, root?: string): string {
  return withNetworkLock(() => {
    const pool = readPool(s, root);
    // exercise: find the lowest free host address, record it for owner, and save the pool
    for (let n = gatewayOf(s) + 1; n < broadcastOf(s); n++) {
      const address = formatAddress(n);
      if (pool.addresses[address] !== undefined) continue;
      pool.addresses[address] = owner;
      writePool(s, pool, root);
      return address;
    }
    // end exercise
    throw new RuntimeError(
      `no free address left in ${formatSubnet(s)}: every address is taken (rm a container, or create a network with a larger subnet)`,
    );
  }, root);
}

/** Give `address` back to the pool. Releasing an address that is free already does nothing. */
export function release(s: Subnet, address: string, root?: string): void {
  withNetworkLock(() => {
    const pool = readPool(s, root);
    // exercise: forget the address (if it is held) and save the pool
    if (pool.addresses[address] === undefined) return;
    delete pool.addresses[address];
    writePool(s, pool, root);
    // end exercise
  }, root);
}

/** The addresses held in subnet `s`, with their owners. */
export function allocations(s: Subnet, root?: string): Record<string, string> {
  return withNetworkLock(() => readPool(s, root).addresses, root);
}

/** Give back every address whose owner `gone(owner)` says no longer exists; the addresses freed. */
export function reclaim(s: Subnet, gone: (owner: string) => boolean, root?: string): string[] {
  return withNetworkLock(() => {
    const pool = readPool(s, root);
    const freed = Object.keys(pool.addresses).filter((a) => gone(pool.addresses[a]!));
    for (const a of freed) delete pool.addresses[a];
    if (freed.length) writePool(s, pool, root);
    return freed;
  }, root);
}

/** Remove a subnet's pool (when its network is removed). */
export function dropPool(s: Subnet, root?: string): void {
  withNetworkLock(() => fs.rmSync(poolPath(s, root), { force: true }), root);
}

/** Whether `address` is a valid address to hand to a container of `s`. */
export function isHostAddress(s: Subnet, address: string): boolean {
  const n = parseAddress(address);
  return n !== undefined && n > gatewayOf(s) && n < broadcastOf(s);
}
