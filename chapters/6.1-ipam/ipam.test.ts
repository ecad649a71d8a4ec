// Chapter 6.1 tests: subnet arithmetic (mask, network, broadcast, gateway, overlap) for
// every size from /30 to /16, and the address pool under the state root: never the
// network, gateway or broadcast address, a full subnet is a clear error (exit code 125),
// release is idempotent, the pool survives the process, and many processes allocating at
// the same moment never get the same address.

import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertThrows, REPO, stageFile } from '../../src/testing/harness.ts';

const IPAM_FILE = stageFile('6.1', 'ipam.ts');
const net: typeof import('../../solutions/6.1/subnet.ts') = await import(stageFile('6.1', 'subnet.ts'));
const ipam: typeof import('../../solutions/6.1/ipam.ts') = await import(IPAM_FILE);

let root = '';
test.before.each(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-test-'));
});
test.after.each(() => fs.rmSync(root, { recursive: true, force: true }));

const subnet = (text: string) => net.parseSubnet(text);
const fmt = net.formatAddress;

test('masks and subnets: the book’s 192.168.10.1/24 names 192.168.10.0/24', () => {
  assert.is(fmt(net.maskOf(24)), '255.255.255.0');
  assert.is(fmt(net.maskOf(16)), '255.255.0.0');
  assert.is(fmt(net.maskOf(30)), '255.255.255.252');
  assert.is(fmt(net.maskOf(32)), '255.255.255.255');
  assert.is(net.formatSubnet(subnet('192.168.10.1/24')), '192.168.10.0/24');
  assert.is(net.formatSubnet(subnet('10.20.30.40/16')), '10.20.0.0/16');
  assert.is(net.formatSubnet(subnet('172.16.5.7/21')), '172.16.0.0/21');
});

test('network, gateway and broadcast for every prefix from /30 to /16', () => {
  for (let prefix = 16; prefix <= 30; prefix++) {
    const s = subnet(`10.200.0.0/${prefix}`);
    const size = 2 ** (32 - prefix);
    assert.is(fmt(s.network), '10.200.0.0', `/${prefix}`);
    assert.is(fmt(net.gatewayOf(s)), '10.200.0.1', `/${prefix}`);
    assert.is(net.broadcastOf(s) - s.network, size - 1, `/${prefix} broadcast`);
    assert.is(net.hostCount(s), size - 3, `/${prefix} hosts`);
  }
  assert.is(fmt(net.broadcastOf(subnet('192.168.0.0/16'))), '192.168.255.255');
  assert.is(fmt(net.broadcastOf(subnet('192.168.8.0/21'))), '192.168.15.255');
  assert.is(fmt(net.broadcastOf(subnet('255.255.255.252/30'))), '255.255.255.255');
});

test('overlap: nested, equal, adjacent and apart', () => {
  const o = (a: string, b: string) => net.overlaps(subnet(a), subnet(b));
  assert.ok(o('10.0.0.0/16', '10.0.5.0/24'));
  assert.ok(o('10.0.5.0/24', '10.0.0.0/16'));
  assert.ok(o('10.0.5.0/24', '10.0.5.0/24'));
  assert.not.ok(o('10.0.4.0/24', '10.0.5.0/24'));
  assert.not.ok(o('10.0.0.0/23', '10.0.2.0/23'));
  assert.not.ok(o('192.168.0.0/16', '10.0.0.0/8'));
});

test('bad subnets are usage errors (exit code 125)', () => {
  for (const bad of [
    '192.168.10.0',
    '192.168.10/24',
    '192.168.10.256/24',
    '1.2.3.4/33',
    '1.2.3.4/31',
    '1.2.3.4/32',
    '1.2.3.4/4',
    'x/24',
    '1.2.3.4/24/1',
    '01.2.3.4/24',
  ]) {
    assertThrows(() => subnet(bad), /invalid subnet/, bad);
  }
});

test('a /30 has one address for a container, then the subnet is full (exit code 125)', () => {
  const s = subnet('10.9.0.0/30');
  assert.is(ipam.allocate(s, 'a', root), '10.9.0.2');
  let err: unknown;
  try {
    ipam.allocate(s, 'b', root);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, 'a full subnet throws');
  assert.match((err as Error).message, /no free address left in 10\.9\.0\.0\/30/);
  assert.is((err as { exitCode?: number }).exitCode, 125);
});

test('every host address of a /24 exactly once, never network, gateway or broadcast; then full', () => {
  const s = subnet('192.168.10.1/24');
  const got = new Set<string>();
  for (let i = 0; i < 253; i++) got.add(ipam.allocate(s, `c${i}`, root));
  assert.is(got.size, 253);
  for (const reserved of ['192.168.10.0', '192.168.10.1', '192.168.10.255']) assert.not.ok(got.has(reserved), reserved);
  assertThrows(() => ipam.allocate(s, 'more', root), /no free address left/);
});

test('a /16 carries past the last octet', () => {
  const s = subnet('10.1.0.0/16');
  let last = '';
  for (let i = 0; i < 300; i++) last = ipam.allocate(s, `c${i}`, root);
  assert.is(last, '10.1.1.45'); // .2 … .255 (254 of them), then 1.0 … 1.45
});

test('release gives the address back, is idempotent, and the pool is kept on disk', () => {
  const s = subnet('10.2.0.0/24');
  const a = ipam.allocate(s, 'a', root);
  const b = ipam.allocate(s, 'b', root);
  assert.equal([a, b], ['10.2.0.2', '10.2.0.3']);
  assert.equal(ipam.allocations(s, root), { '10.2.0.2': 'a', '10.2.0.3': 'b' });
  ipam.release(s, a, root);
  ipam.release(s, a, root);
  ipam.release(s, '10.2.0.77', root);
  assert.equal(ipam.allocations(s, root), { '10.2.0.3': 'b' });
  assert.is(ipam.allocate(s, 'c', root), '10.2.0.2', 'a released address is handed out again');
  const files = fs.readdirSync(path.join(root, 'network', 'ipam'));
  assert.equal(files, ['10.2.0.0_24.json'], 'one pool file per subnet, no temporary file left');
});

test('reclaim frees the addresses of owners that are gone', () => {
  const s = subnet('10.3.0.0/24');
  for (const owner of ['alive', 'dead1', 'dead2']) ipam.allocate(s, owner, root);
  assert.equal(ipam.reclaim(s, (o) => o.startsWith('dead'), root).sort(), ['10.3.0.3', '10.3.0.4']);
  assert.equal(ipam.allocations(s, root), { '10.3.0.2': 'alive' });
});

test('12 processes allocating at once never get the same address', async () => {
  const s = '10.4.0.0/26'; // 61 host addresses: 12 × 5 fit, with one to spare
  const script = `const m = await import(${JSON.stringify(IPAM_FILE)}); const n = await import(${JSON.stringify(stageFile('6.1', 'subnet.ts'))});
    const out = []; for (let i = 0; i < 5; i++) out.push(m.allocate(n.parseSubnet('${s}'), 'p' + process.pid + '-' + i, ${JSON.stringify(root)}));
    console.log(out.join(' '));`;
  const runs = await Promise.all(
    Array.from({ length: 12 }, () =>
      execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, timeout: 60_000 }),
    ),
  );
  const all = runs.flatMap((r) => r.stdout.trim().split(' '));
  assert.is(all.length, 60);
  assert.is(new Set(all).size, 60, `an address was handed out twice: ${all.sort().join(' ')}`);
  assert.is(Object.keys(ipam.allocations(subnet(s), root)).length, 60, 'every allocation is on disk');
  assert.is(ipam.allocate(subnet(s), 'last', root), '10.4.0.62');
  assertThrows(() => ipam.allocate(subnet(s), 'one-too-many', root), /no free address left/);
});

test.run();
