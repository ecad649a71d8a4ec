// Chapter 6.2 — the bridge driver: a network is a Linux bridge (a virtual switch, man 8
// ip-link "type bridge") holding the gateway address, plus iptables rules that let its
// containers out and masquerade them behind the host's address.
//
//   host ── FORWARD ─────▶ MYDOCKER-<net>  (filter)  -i <br> ACCEPT; -o <br> replies, DNAT-ed ACCEPT
//        ── POSTROUTING ─▶ MYDOCKER-<net>  (nat)     -s <subnet> ! -o <br> MASQUERADE
//                                                    -s <subnet> -o <br> DNAT-ed MASQUERADE (hairpin, 6.4)
//        ── PREROUTING, OUTPUT (to a local address) ─▶ MYDNAT-<net> (nat)  published ports (6.4)
//
// Every rule lives in chains of our own, one set per network, entered by one jump from
// the built-in chain. Removing a network is then exact and safe to repeat: delete our
// jumps (while there are any), flush and delete our chains (if they are there), delete
// the bridge (if it is there). The book appends its MASQUERADE rule to POSTROUTING
// itself and never deletes it, so every `network create` leaves one more rule behind.
//
// Chain names are at most 28 characters (iptables' limit), the bridge's name at most 15
// (IFNAMSIZ, man 7 netdevice): a network's name is the bridge's name, so it is at most
// 15 characters, and MYDNAT-<name> never equals MYDOCKER-<other name>.

import fs from 'node:fs';
import { log } from '../../src/runtime/log.ts';
import { succeeds, ip, iptables } from './tools.ts';

/** What the driver needs to know of a network. */
export interface BridgeSpec {
  /** the bridge's name (the network's name) */
  bridge: string;
  /** e.g. "192.168.10.0/24" */
  subnet: string;
  /** e.g. "192.168.10.1" */
  gateway: string;
}

/** The longest interface name the kernel takes: IFNAMSIZ (16) less the final NUL. */
export const MAX_IFNAME = 15;

interface Rule {
  table: 'filter' | 'nat';
  chain: string;
  spec: string[];
}

export const forwardChain = (b: BridgeSpec) => `MYDOCKER-${b.bridge}`;
export const dnatChain = (b: BridgeSpec) => `MYDNAT-${b.bridge}`;

/** Our chains, by table. */
function chains(b: BridgeSpec): Array<{ table: 'filter' | 'nat'; chain: string }> {
  return [
    { table: 'filter', chain: forwardChain(b) },
    { table: 'nat', chain: forwardChain(b) },
    { table: 'nat', chain: dnatChain(b) },
  ];
}

/** The rules inside our chains. */
function chainRules(b: BridgeSpec): Rule[] {
  const fwd = forwardChain(b);
  const rules: Rule[] = [];
  const add = (table: Rule['table'], ...spec: string[]) => rules.push({ table, chain: fwd, spec });
  // exercise: let the containers out, and in only what answers them or was published (DNAT)
  add('filter', '-i', b.bridge, '-j', 'ACCEPT');
  add('filter', '-o', b.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'ACCEPT');
  // end exercise
  // exercise: masquerade what leaves the subnet through another interface, and hairpin traffic
  add('nat', '-s', b.subnet, '!', '-o', b.bridge, '-j', 'MASQUERADE');
  add('nat', '-s', b.subnet, '-o', b.bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'MASQUERADE');
  // end exercise
  return rules;
}

/** The jumps from the built-in chains into ours. */
function jumps(b: BridgeSpec): Rule[] {
  const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
  return [
    { table: 'filter', chain: 'FORWARD', spec: ['-j', forwardChain(b)] },
    { table: 'nat', chain: 'POSTROUTING', spec: ['-j', forwardChain(b)] },
    // Published ports (6.4): packets to one of the host's own addresses, from outside
    // (PREROUTING) and from the host itself (OUTPUT; not 127.0.0.0/8, which the kernel
    // will not route out of `lo` to a bridge).
    { table: 'nat', chain: 'PREROUTING', spec: [...local, '-j', dnatChain(b)] },
    { table: 'nat', chain: 'OUTPUT', spec: ['!', '-d', '127.0.0.0/8', ...local, '-j', dnatChain(b)] },
  ];
}

/** Create the bridge with the gateway address, up, and its rules. Undo with removeBridge. */
export function createBridge(b: BridgeSpec): void {
  const prefix = b.subnet.split('/')[1];
  // exercise: create the bridge, give it the gateway address (with the subnet's prefix) and bring it up
  ip('link', 'add', b.bridge, 'type', 'bridge');
  ip('addr', 'add', `${b.gateway}/${prefix}`, 'dev', b.bridge);
  ip('link', 'set', b.bridge, 'up');
  // end exercise
  for (const c of chains(b)) iptables('-t', c.table, '-N', c.chain);
  for (const r of chainRules(b)) iptables('-t', r.table, '-A', r.chain, ...r.spec);
  // Inserted at the top: our verdicts come before a DROP the host's firewall may append.
  for (const r of jumps(b)) iptables('-t', r.table, '-I', r.chain, '1', ...r.spec);
  enableForwarding();
}

/** Remove what createBridge made; whatever is already gone is skipped. */
export function removeBridge(b: BridgeSpec): void {
  // exercise: delete our jumps (each as often as it is there), then flush and delete our chains, then the bridge
  for (const r of jumps(b)) {
    while (succeeds('iptables', ['-w', '-t', r.table, '-C', r.chain, ...r.spec]))
      iptables('-t', r.table, '-D', r.chain, ...r.spec);
  }
  for (const c of chains(b)) {
    if (!succeeds('iptables', ['-w', '-t', c.table, '-n', '-L', c.chain])) continue;
    iptables('-t', c.table, '-F', c.chain);
    iptables('-t', c.table, '-X', c.chain);
  }
  if (linkExists(b.bridge)) ip('link', 'del', b.bridge);
  // end exercise
}

/** Whether the host has a network interface called `name`. */
export function linkExists(name: string): boolean {
  return succeeds('ip', ['link', 'show', 'dev', name]);
}

/**
 * Packets between the bridge and any other interface are *routed* by the host, which
 * Linux does only with net.ipv4.ip_forward = 1 (the book never turns it on, so its
 * containers cannot get out). Docker turns it on too; `doctor` says whether it is.
 */
function enableForwarding(): void {
  const file = '/proc/sys/net/ipv4/ip_forward';
  if (fs.readFileSync(file, 'utf8').trim() === '1') return;
  fs.writeFileSync(file, '1');
  log.info(
    'enabled IPv4 forwarding (net.ipv4.ip_forward = 1), as Docker does, so containers can reach beyond the host',
  );
}
