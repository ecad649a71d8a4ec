// Chapter 6.1 — IPv4 subnets as numbers. An address is a 32-bit unsigned integer; a
// subnet is its first address (the network address) and a prefix length. Everything
// else — the mask, the broadcast address, the gateway, whether two subnets overlap — is
// arithmetic on those two numbers.
//
// The book keeps a subnet's addresses as a string of '0'/'1' and turns a bit index back
// into an address by adding it to the network address byte by byte, with no carry from
// one byte to the next: large subnets get wrong addresses. With one 32-bit number and
// `>>> 0` (JavaScript's bitwise operators work on signed 32-bit values; `>>> 0` reads the
// result back as unsigned), a /16 is as easy as a /30.
//
//   192.168.10.0/24   network   192.168.10.0    never handed out (it names the subnet)
//                     gateway   192.168.10.1    the bridge's own address (6.2)
//                     hosts     .2 … .254       the containers
//                     broadcast 192.168.10.255  never handed out

import { UsageError } from '../../src/runtime/errors.ts';

export interface Subnet {
  /** the network address, as an unsigned 32-bit number */
  network: number;
  /** the prefix length, e.g. 24 */
  prefix: number;
}

/** Smallest and largest subnet a network may have: /30 leaves one address for a container. */
export const MIN_PREFIX = 8;
export const MAX_PREFIX = 30;

/** "192.168.10.7" → 3232238087; undefined if it is not a dotted quad. */
export function parseAddress(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** 3232238087 → "192.168.10.7" */
export function formatAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The mask of a prefix length: /24 → 255.255.255.0 (as a number). */
export function maskOf(prefix: number): number {
  // exercise: the top `prefix` bits set (careful: in JavaScript, 1 << 32 is 1)
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  // end exercise
}

/**
 * Parse "192.168.10.0/24". The book writes a host address in the subnet
 * (`--subnet 192.168.10.1/24`); its host bits are dropped, so both name 192.168.10.0/24.
 */
export function parseSubnet(text: string): Subnet {
  const [addr, len, ...more] = text.split('/');
  const n = parseAddress(addr ?? '');
  const prefix = Number(len);
  if (n === undefined || more.length || !/^\d{1,2}$/.test(len ?? '')) {
    throw new UsageError(
      `invalid subnet "${text}": expected an IPv4 address and a prefix length, e.g. 192.168.10.0/24`,
    );
  }
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new UsageError(
      `invalid subnet "${text}": the prefix length must be from /${MIN_PREFIX} to /${MAX_PREFIX} (a /30 has room for one container)`,
    );
  }
  // exercise: keep only the network part of the address
  return { network: (n & maskOf(prefix)) >>> 0, prefix };
  // end exercise
}

export function formatSubnet(s: Subnet): string {
  return `${formatAddress(s.network)}/${s.prefix}`;
}

/** The last address of the subnet (all host bits set). */
export function broadcastOf(s: Subnet): number {
  // exercise: the network address with every host bit set
  return (s.network | ~maskOf(s.prefix)) >>> 0;
  // end exercise
}

/** The gateway: the first address after the network address (the bridge's own, in 6.2). */
export function gatewayOf(s: Subnet): number {
  return s.network + 1;
}

/** Whether address `n` is in subnet `s`. */
export function contains(s: Subnet, n: number): boolean {
  return (n & maskOf(s.prefix)) >>> 0 === s.network;
}

/** Whether two subnets share any address (then one contains the other's network). */
export function overlaps(a: Subnet, b: Subnet): boolean {
  // exercise: two aligned blocks overlap exactly when the wider one contains the other's start
  return a.prefix <= b.prefix ? contains(a, b.network) : contains(b, a.network);
  // end exercise
}

/** How many addresses a container can get: all but the network, gateway and broadcast. */
export function hostCount(s: Subnet): number {
  return 2 ** (32 - s.prefix) - 3;
}
