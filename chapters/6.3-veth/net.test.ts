// Chapter 6.3 tests: `run --net NAME` inside a network sandbox that plays the host. The
// container gets eth0 with an address of the network, lo up and a default route via
// the gateway before its command runs; /etc/hosts names it; ps shows its address;
// containers on one network reach each other and the host's bridge address (busybox
// ping, bounded). The address goes back and the veth goes on every way out: exit, a
// failed start, stop, rm -f, and a SIGKILL of the monitor (then `cleanup`).

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueName, waitFor } from '../../src/testing/harness.ts';
import { statOf, waitForDetachedProcess, waitGone } from '../../src/testing/containers.ts';
import { expectCode, netTest } from '../6.2-bridge/helpers.ts';

const n = netTest(test, '6.3');

/** The address pool of `subnet` ("10.1.0.0_24") as the runtime keeps it. */
function pool(subnet: string): Record<string, string> {
  const file = path.join(n.t.root, 'network', 'ipam', `${subnet}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).addresses : {};
}

/** `ps` as rows keyed by the header's columns. */
async function ps(): Promise<Record<string, string>[]> {
  const r = await n.mydocker(['ps']);
  expectCode(r, 0);
  const [header, ...lines] = r.stdout.trimEnd().split('\n');
  const cols = header!.split(/\s{2,}/);
  return lines.map((l) => Object.fromEntries(l.split(/\s{2,}/).map((c, i) => [cols[i], c])));
}

async function network(subnet: string, name = 'testnet') {
  expectCode(await n.mydocker(['network', 'create', '--driver', 'bridge', '--subnet', subnet, name]), 0);
}

test('run --net: eth0 with the address, lo up, a default route, /etc/hosts; all there before the command', async () => {
  await n.open();
  await network('192.168.10.1/24');
  const r = await n.mydocker([
    'run',
    '--net',
    'testnet',
    'sh',
    '-c',
    'ip -o -4 addr; ip route; cat /etc/hosts; hostname; ping -c 1 -W 2 192.168.10.1 >/dev/null && echo gateway-answers',
  ]);
  expectCode(r, 0);
  assert.match(r.stdout, /^\d+: eth0\s+inet 192\.168\.10\.2\/24 /m, 'eth0 has the first free address');
  assert.match(r.stdout, /^\d+: lo\s+inet 127\.0\.0\.1\/8 /m, 'lo is up');
  assert.match(r.stdout, /^default via 192\.168\.10\.1 dev eth0/m, 'the default route goes through the gateway');
  const hostname = r.stdout.trim().split('\n').at(-2)!;
  assert.match(r.stdout, new RegExp(`^192\\.168\\.10\\.2\\s+${hostname}$`, 'm'), '/etc/hosts names the container');
  assert.match(r.stdout, /^gateway-answers$/m, "the host's bridge address answers");
  assert.equal(pool('192.168.10.0_24'), {}, 'the address went back when the container ended');
  await n.linksBecome(['lo', 'testnet'], 'the veth is gone');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('two detached containers reach each other; ps shows their addresses; rm -f and network rm leave nothing', async () => {
  await n.open();
  const rulesBefore = await n.rules();
  await network('10.77.0.0/24');
  const m = uniqueName('net');
  for (const name of ['one', 'two'])
    expectCode(
      await n.mydocker(['run', '-d', '--name', name, '--network', 'testnet', 'sh', '-c', `sleep 1000; : ${m}`]),
      0,
    );
  await waitForDetachedProcess(m, 'sh');
  let table: Record<string, string>[] = [];
  for (let i = 0; i < 100; i++) {
    table = await ps();
    if (table.length === 2 && table.every((r) => r.STATUS === 'running' && r.IP !== '-')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const ipOf = (name: string) => table.find((r) => r.NAME === name)?.IP;
  assert.equal([ipOf('one'), ipOf('two')].sort(), ['10.77.0.2', '10.77.0.3'], JSON.stringify(table));
  const ping = await n.mydocker(['exec', 'one', 'ping', '-c', '2', '-W', '2', ipOf('two')!]);
  expectCode(ping, 0, 'one pings two');
  assert.match(ping.stdout, /2 packets received/);
  const back = await n.mydocker(['exec', 'two', 'ping', '-c', '1', '-W', '2', ipOf('one')!]);
  expectCode(back, 0, 'two pings one');
  assert.is(Object.keys(pool('10.77.0.0_24')).length, 2);
  const inUse = await n.mydocker(['network', 'rm', 'testnet']);
  expectCode(inUse, 125, 'a network in use is not removed');
  assert.match(inUse.stderr, /network testnet is in use/);
  expectCode(await n.mydocker(['rm', '-f', 'one', 'two']), 0);
  assert.equal(pool('10.77.0.0_24'), {}, 'both addresses went back');
  await n.linksBecome(['lo', 'testnet'], 'both veths are gone');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
  assert.equal(await n.links(), ['lo']);
  assert.equal(await n.rules(), rulesBefore, 'no rule or chain is left');
  assert.equal(fs.readdirSync(path.join(n.t.root, 'network', 'ipam')), [], 'no pool is left');
});

test('stop gives the address back; a failed start too; a full /30 is exit 125 with nothing left', async () => {
  await n.open();
  await network('10.88.0.0/30'); // one address for a container: 10.88.0.2
  const m = uniqueName('stop');
  expectCode(
    await n.mydocker(['run', '-d', '--name', 'only', '--net', 'testnet', 'sh', '-c', `sleep 1000; : ${m}`]),
    0,
  );
  await waitForDetachedProcess(m, 'sh');
  await waitFor(
    () => (Object.keys(pool('10.88.0.0_30')).length === 1 ? true : undefined),
    10_000,
    'the address to be taken',
  );
  const full = await n.mydocker(['run', '--net', 'testnet', 'true']);
  expectCode(full, 125, 'no address left');
  assert.match(full.stderr, /no free address left in 10\.88\.0\.0\/30/);
  assert.is(full.stderr.trim().split('\n').length, 1, full.stderr);
  expectCode(await n.mydocker(['stop', '-t', '1', 'only']), 0);
  await waitFor(
    () => (Object.keys(pool('10.88.0.0_30')).length === 0 ? true : undefined),
    10_000,
    'the address to go back after stop',
  );
  const missing = await n.mydocker(['run', '--net', 'testnet', 'no-such-command']);
  expectCode(missing, 127);
  assert.equal(pool('10.88.0.0_30'), {}, 'a failed start gives the address back');
  expectCode(await n.mydocker(['rm', 'only']), 0);
  await n.linksBecome(['lo', 'testnet'], 'the veth is gone');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test("a killed monitor's address is reclaimed by cleanup; its veth is gone with the container", async () => {
  await n.open();
  await network('10.99.0.0/24');
  const m = uniqueName('kill');
  expectCode(
    await n.mydocker(['run', '-d', '--name', 'victim', '--net', 'testnet', 'sh', '-c', `sleep 1000; : ${m}`]),
    0,
  );
  const sh = await waitForDetachedProcess(m, 'sh');
  await waitFor(
    () => (Object.keys(pool('10.99.0.0_24')).length === 1 ? true : undefined),
    10_000,
    'the address to be taken',
  );
  const monitor = statOf(sh)!.ppid; // sh is the container's PID 1 (init exec'd it); its parent is the monitor
  process.kill(monitor, 'SIGKILL');
  await waitGone(sh);
  assert.is(Object.keys(pool('10.99.0.0_24')).length, 1, 'the address is still recorded');
  expectCode(await n.mydocker(['cleanup']), 0);
  assert.equal(pool('10.99.0.0_24'), {}, 'cleanup gave it back');
  await n.linksBecome(['lo', 'testnet'], 'the veth went with the container');
  expectCode(await n.mydocker(['rm', 'victim']), 0);
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('8 containers started at once on a /28 get 8 different addresses, and give them all back', async () => {
  await n.open();
  await network('10.55.0.0/28'); // 13 addresses for containers
  const m = uniqueName('many');
  const names = Array.from({ length: 8 }, (_, i) => `c${i}`);
  const runs = await Promise.all(
    names.map((name) =>
      n.mydocker(['run', '-d', '--name', name, '--net', 'testnet', 'sh', '-c', `sleep 1000; : ${m}`]),
    ),
  );
  for (const r of runs) expectCode(r, 0);
  let rows: Record<string, string>[] = [];
  for (let i = 0; i < 100; i++) {
    rows = await ps();
    if (rows.length === 8 && rows.every((r) => r.IP !== '-')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const addresses = rows.map((r) => r.IP!);
  assert.is(new Set(addresses).size, 8, `an address was given twice: ${addresses.sort().join(' ')}`);
  for (const a of addresses) assert.match(a, /^10\.55\.0\.([2-9]|1[0-4])$/);
  assert.is(Object.keys(pool('10.55.0.0_28')).length, 8);
  expectCode(await n.mydocker(['rm', '-f', ...names]), 0);
  assert.equal(pool('10.55.0.0_28'), {}, 'every address went back');
  await n.linksBecome(['lo', 'testnet'], 'every veth is gone');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('an ip failure while connecting is one line, exit 125, and leaves no address, veth or container', async () => {
  await n.open();
  await network('10.44.0.0/24');
  await n.sh('ip link del testnet'); // the bridge gone behind the runtime's back
  const r = await n.mydocker(['run', '--net', 'testnet', 'true']);
  expectCode(r, 125);
  assert.match(r.stderr, /^mydocker: error: ip -batch -.*: .*"testnet".*Device does not exist/);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(pool('10.44.0.0_24'), {}, 'the address went back');
  await n.linksBecome(['lo'], 'no veth is left');
  assert.equal(n.t.leftovers(), [], 'no container is left');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('run -t --net: the container has its own terminal (5.9) and its network', async () => {
  await n.open();
  await network('10.66.0.0/24');
  const r = await n.mydocker(['run', '-t', '--net', 'testnet', 'sh', '-c', 'tty; ip -o -4 addr show eth0; exit 5']);
  expectCode(r, 5);
  assert.match(r.stdout, /^\/dev\/pts\/0\r\n/, 'the terminal is /dev/pts/0 of its own devpts');
  assert.match(r.stdout, /eth0\s+inet 10\.66\.0\.2\/24 /);
  assert.equal(pool('10.66.0.0_24'), {}, 'the address went back');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('--net of a network that does not exist is exit 125 before anything starts', async () => {
  await n.open();
  const r = await n.mydocker(['run', '--net', 'nowhere', 'true']);
  expectCode(r, 125);
  assert.match(r.stderr, /no such network: nowhere/);
  assert.equal(n.t.leftovers(), []);
});

test.run();
