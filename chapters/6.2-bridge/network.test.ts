// Chapter 6.2 tests: `network create|ls|rm` with the bridge driver, each run inside a
// network sandbox that plays the host. create makes a bridge with the gateway address,
// up, and the rules in chains of our own; rm removes exactly that (and is safe on a
// network half gone); names, subnets and drivers are checked before anything is made.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectCode, netTest } from './helpers.ts';

const n = netTest(test, '6.2');

test("the book's create, list and remove: a bridge with the gateway address, up, and our chains; then nothing", async () => {
  await n.open();
  const rulesBefore = await n.rules();
  const create = await n.mydocker([
    'network',
    'create',
    '--driver',
    'bridge',
    '--subnet',
    '192.168.10.1/24',
    'testbridge',
  ]);
  expectCode(create, 0);
  assert.is(create.stdout, 'testbridge\n');
  const link = await n.sh('ip -o link show dev testbridge');
  assert.match(link, /state UP|,UP[,>]/, 'the bridge is up');
  assert.match(await n.sh('ip -o -d link show dev testbridge'), / bridge /, 'it is a bridge');
  assert.match(
    await n.sh('ip -4 -o addr show dev testbridge'),
    /inet 192\.168\.10\.1\/24 /,
    'the gateway address is on the bridge',
  );
  assert.match(
    await n.sh('ip -4 route show'),
    /^192\.168\.10\.0\/24 dev testbridge /m,
    'the host routes the subnet to the bridge',
  );
  const rules = await n.rules();
  assert.ok(
    rules.some((r) => /^filter: -A FORWARD .*-j MYDOCKER-testbridge/.test(r)),
    `a jump from FORWARD: ${rules.join('\n')}`,
  );
  assert.ok(
    rules.some((r) => /^nat: -A MYDOCKER-testbridge -s 192\.168\.10\.0\/24 ! -o testbridge -j MASQUERADE/.test(r)),
    `masquerading: ${rules.join('\n')}`,
  );
  assert.is(await n.sh('cat /proc/sys/net/ipv4/ip_forward'), '1', 'forwarding is on');
  const ls = await n.mydocker(['network', 'list']);
  expectCode(ls, 0);
  assert.match(ls.stdout, /^NAME\s+DRIVER\s+SUBNET\s+GATEWAY\n/);
  assert.match(ls.stdout, /^testbridge\s+bridge\s+192\.168\.10\.0\/24\s+192\.168\.10\.1$/m);
  expectCode(await n.mydocker(['network', 'remove', 'testbridge']), 0);
  assert.equal(await n.links(), ['lo'], 'the bridge is gone');
  assert.equal(await n.rules(), rulesBefore, 'every rule and chain is gone');
  assert.is((await n.mydocker(['network', 'ls'])).stdout, 'NAME  DRIVER  SUBNET  GATEWAY\n');
});

test('two networks side by side; removing one leaves the other whole; ls and rm spellings', async () => {
  await n.open();
  expectCode(await n.mydocker(['network', 'create', '--subnet', '10.10.0.0/16', 'neta']), 0);
  const withA = await n.rules();
  expectCode(await n.mydocker(['network', 'create', '--subnet', '10.11.0.0/30', 'netb']), 0);
  const ls = await n.mydocker(['network', 'ls']);
  assert.match(
    ls.stdout,
    /^neta\s+bridge\s+10\.10\.0\.0\/16\s+10\.10\.0\.1\nnetb\s+bridge\s+10\.11\.0\.0\/30\s+10\.11\.0\.1$/m,
    ls.stdout,
  );
  expectCode(await n.mydocker(['network', 'rm', 'netb']), 0);
  assert.equal(await n.rules(), withA, "netb's rules are gone, neta's stay");
  assert.equal(await n.links(), ['lo', 'neta']);
  expectCode(await n.mydocker(['network', 'rm', 'neta']), 0);
  assert.equal(await n.links(), ['lo']);
});

test('removal is exact and safe to repeat: a bridge deleted by hand, a second rm', async () => {
  await n.open();
  const rulesBefore = await n.rules();
  expectCode(await n.mydocker(['network', 'create', '--subnet', '172.30.0.0/24', 'half']), 0);
  await n.sh('ip link del half');
  expectCode(await n.mydocker(['network', 'rm', 'half']), 0);
  assert.equal(await n.rules(), rulesBefore);
  const again = await n.mydocker(['network', 'rm', 'half']);
  expectCode(again, 125);
  assert.match(again.stderr, /no such network: half/);
  // A name can be used again once it is gone.
  expectCode(await n.mydocker(['network', 'create', '--subnet', '172.30.0.0/24', 'half']), 0);
  expectCode(await n.mydocker(['network', 'rm', 'half']), 0);
  assert.equal(await n.links(), ['lo']);
});

test('refused before anything is made (exit 125): taken name, host interface, long name, overlaps, bad subnet, driver', async () => {
  await n.open();
  // The sandbox host has an interface of its own with an address, as a real host's eth0.
  await n.sh(
    'ip link add uplink0 type veth peer name uplink1 && ip addr add 10.50.0.1/16 dev uplink0 && ip link set uplink0 up',
  );
  expectCode(await n.mydocker(['network', 'create', '--subnet', '192.168.20.0/24', 'first']), 0);
  const rules = await n.rules();
  const cases: Array<[string[], RegExp]> = [
    [['--subnet', '192.168.30.0/24', 'first'], /network first already exists/],
    [['--subnet', '192.168.30.0/24', 'uplink0'], /already a network interface of the host/],
    [['--subnet', '192.168.30.0/24', 'lo'], /already a network interface of the host/],
    [['--subnet', '192.168.30.0/24', 'a-name-too-long1'], /invalid network name .*IFNAMSIZ/],
    [['--subnet', '192.168.30.0/24', 'bad/name'], /invalid network name/],
    [['--subnet', '192.168.20.128/25', 'second'], /overlaps network first/],
    [['--subnet', '192.168.0.0/16', 'second'], /overlaps network first/],
    [['--subnet', '10.50.7.0/24', 'second'], /overlaps .*10\.50\.0\.1\/16 of uplink0|overlaps the host's route/],
    [['--subnet', '192.168.30.0/31', 'second'], /invalid subnet/],
    [['--subnet', 'nonsense', 'second'], /invalid subnet/],
    [['--driver', 'overlay', '--subnet', '192.168.30.0/24', 'second'], /unknown network driver "overlay"/],
    [['second'], /--subnet is required/],
  ];
  for (const [args, message] of cases) {
    const r = await n.mydocker(['network', 'create', ...args]);
    expectCode(r, 125, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  assert.match(
    await n.sh('ip -4 -o addr show dev uplink0'),
    /^\S+ uplink0\s+inet 10\.50\.0\.1\/16 [^\n]*$/,
    "the host's interface got no address of ours",
  );
  assert.equal(await n.links(), ['first', 'lo', 'uplink0', 'uplink1'], 'no bridge was made');
  assert.equal(await n.rules(), rules, 'no rule was added');
  const ls = await n.mydocker(['network', 'ls']);
  assert.equal(
    ls.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ['first'],
  );
  expectCode(await n.mydocker(['network', 'rm', 'first']), 0);
});

test('network without a subcommand, or a wrong one, says how to use it', async () => {
  await n.open();
  const none = await n.mydocker(['network']);
  expectCode(none, 125);
  assert.match(none.stdout, /create \[--driver bridge\] --subnet CIDR NAME/);
  const wrong = await n.mydocker(['network', 'destroy', 'x']);
  expectCode(wrong, 125);
  assert.match(wrong.stderr, /unknown network command "destroy"/);
});

test.run();
