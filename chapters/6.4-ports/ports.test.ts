// Chapter 6.4 tests: `run -p HOST:CONTAINER[/PROTO]` inside a network sandbox that plays
// the host. A busybox httpd in a container is fetched through the published port (with
// busybox nc, bounded) from the sandbox host itself, from a machine outside (a second
// namespace wired to the sandbox host), and from a second container (hairpin); a
// container's own traffic to another container on the same port is not taken over; a
// host port already published is exit 125; every rule goes with its container.

import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueName, waitFor } from '../../src/testing/harness.ts';
import { outsidePeer } from '../../src/testing/netns.ts';
import { statOf, waitForDetachedProcess, waitGone } from '../../src/testing/containers.ts';
import { expectCode, netTest } from '../6.2-bridge/helpers.ts';

const n = netTest(test, '6.4');

/** An HTTP GET with busybox nc: the last line of the answer (the page), bounded in time. */
const fetchCmd = (addr: string, port: number) =>
  `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 busybox nc -w 3 ${addr} ${port} | tail -n 1`;

/**
 * Whether a TCP socket listens on `port` in the network namespace of process `pid`
 * (man 5 proc, /proc/net/tcp and tcp6: busybox httpd listens on IPv6's "any", which
 * takes IPv4 too).
 */
function listening(pid: number, port: number): boolean {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['tcp', 'tcp6'].some((file) => {
    try {
      return fs
        .readFileSync(`/proc/${pid}/net/${file}`, 'utf8')
        .split('\n')
        .some((line) => {
          const f = line.trim().split(/\s+/);
          return f[1]?.endsWith(local) && f[3] === '0A'; // 0A: LISTEN
        });
    } catch {
      return false;
    }
  });
}

/** A detached busybox httpd serving `page`, with these extra run flags; resolves when it listens. */
async function webServer(name: string, page: string, flags: string[] = []): Promise<void> {
  const m = uniqueName(name);
  const script = `mkdir -p /www && echo ${page} > /www/index.html && httpd -p 80 -h /www && sleep 1000; : ${m}`;
  expectCode(
    await n.mydocker(['run', '-d', '--name', name, '--net', 'testnet', ...flags, 'sh', '-c', script]),
    0,
    `start ${name}`,
  );
  const sh = await waitForDetachedProcess(m, 'sh');
  await waitFor(() => (listening(sh, 80) ? true : undefined), 10_000, `${name}'s httpd to listen on port 80`);
}

async function network(subnet = '10.66.0.0/24') {
  expectCode(await n.mydocker(['network', 'create', '--subnet', subnet, 'testnet']), 0);
}

test('-p 8080:80 serves the container to the host itself, to a machine outside and to another container (hairpin)', async () => {
  const box = await n.open();
  const rulesBefore = await n.rules();
  const outside = await outsidePeer(box, '10.123.0.1/24', '10.123.0.2/24');
  await network();
  await webServer('web', 'hello-from-web', ['-p', '8080:80']);
  // The host, to its own address on the bridge and on its "uplink" (OUTPUT, local destination).
  assert.is(await n.sh(fetchCmd('10.66.0.1', 8080)), 'hello-from-web', 'from the host to the gateway address');
  assert.is(await n.sh(fetchCmd('10.123.0.1', 8080)), 'hello-from-web', "from the host to its uplink's address");
  // A machine outside, to the host's address (PREROUTING, then forwarded to the bridge).
  const far = await outside.sh(fetchCmd('10.123.0.1', 8080));
  assert.is(far.stdout.trim(), 'hello-from-web', `from outside: ${far.stderr}`);
  // Another container, to the host's address: out of the bridge and back in (hairpin).
  const hairpin = await n.mydocker([
    'run',
    '--net',
    'testnet',
    'sh',
    '-c',
    fetchCmd('10.66.0.1', 8080).replace('busybox nc', 'nc'),
  ]);
  expectCode(hairpin, 0);
  assert.is(hairpin.stdout.trim(), 'hello-from-web', 'from a second container through the host');
  const mine = await n.mydocker(['exec', 'web', 'sh', '-c', fetchCmd('10.123.0.1', 8080).replace('busybox nc', 'nc')]);
  assert.is(mine.stdout.trim(), 'hello-from-web', `the container through its own published port: ${mine.stderr}`);
  expectCode(await n.mydocker(['rm', '-f', 'web']), 0);
  const gone = await outside.sh(fetchCmd('10.123.0.1', 8080));
  assert.is(gone.stdout.trim(), '', 'nothing answers once the container is gone');
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
  assert.equal(await n.rules(), rulesBefore, 'no rule or chain is left');
  await outside.close();
  await n.linksBecome(['lo'], 'the outside peer and every veth are gone');
});

test("a published port does not take over the containers' own traffic to that port elsewhere", async () => {
  await n.open();
  await network();
  await webServer('published', 'hello-from-published', ['-p', '80:80']);
  await webServer('other', 'hello-from-other');
  const ip = (await n.mydocker(['exec', 'other', 'sh', '-c', "ip -o -4 addr show dev eth0 | awk '{print $4}'"])).stdout
    .trim()
    .split('/')[0]!;
  assert.match(ip, /^10\.66\.0\.\d+$/);
  const r = await n.mydocker(['run', '--net', 'testnet', 'sh', '-c', fetchCmd(ip, 80).replace('busybox nc', 'nc')]);
  expectCode(r, 0);
  assert.is(r.stdout.trim(), 'hello-from-other', 'a request to another container on port 80 reaches that container');
  expectCode(await n.mydocker(['rm', '-f', 'published', 'other']), 0);
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test('a host port already published is exit 125 and takes nothing; udp; bad -p specs are usage errors', async () => {
  await n.open();
  await network();
  await webServer('first', 'one', ['-p', '8080:80', '-p', '5353:53/udp']);
  const rules = await n.rules();
  assert.ok(
    rules.some((r) => /MYDNAT-testnet -p tcp -m tcp --dport 8080 .*--to-destination 10\.66\.0\.2:80/.test(r)),
    rules.join('\n'),
  );
  assert.ok(
    rules.some((r) => /MYDNAT-testnet -p udp -m udp --dport 5353 .*--to-destination 10\.66\.0\.2:53/.test(r)),
    rules.join('\n'),
  );
  const dup = await n.mydocker(['run', '--net', 'testnet', '-p', '9090:90', '-p', '8080:81', 'true']);
  expectCode(dup, 125, 'a published port twice');
  assert.match(dup.stderr, /port 8080\/tcp is already published/);
  const dupDetached = await n.mydocker(['run', '-d', '--net', 'testnet', '-p', '8080:80', 'sleep', '100']);
  expectCode(dupDetached, 125, 'detached, a published port twice');
  assert.equal(await n.rules(), rules, 'the refused runs added no rule');
  expectCode(await n.mydocker(['run', '--net', 'testnet', '-p', '8080:80/udp', 'true']), 0); // another protocol, another port
  for (const [args, message] of [
    [['-p', '8080:80', 'true'], /-p needs a network/],
    [['--net', 'testnet', '-p', '80', 'true'], /invalid -p "80"/],
    [['--net', 'testnet', '-p', '0:80', 'true'], /ports are numbers from 1 to 65535/],
    [['--net', 'testnet', '-p', '80:70000', 'true'], /ports are numbers from 1 to 65535/],
    [['--net', 'testnet', '-p', '80:80/sctp', 'true'], /the protocol is tcp or udp/],
    [['--net', 'testnet', '-p', '81:80', '-p', '81:90', 'true'], /given twice/],
  ] as Array<[string[], RegExp]>) {
    const r = await n.mydocker(['run', ...args]);
    expectCode(r, 125, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  expectCode(await n.mydocker(['rm', '-f', 'first']), 0);
  assert.not.ok(
    (await n.rules()).some((r) => /-j DNAT /.test(r)),
    'the rules went with the container',
  );
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
});

test("a killed monitor's port rules and claims are reclaimed: by cleanup, and the port can be published again", async () => {
  await n.open();
  await network();
  const m = uniqueName('kill');
  expectCode(
    await n.mydocker([
      'run',
      '-d',
      '--name',
      'victim',
      '--net',
      'testnet',
      '-p',
      '8080:80',
      'sh',
      '-c',
      `sleep 1000; : ${m}`,
    ]),
    0,
  );
  const sh = await waitForDetachedProcess(m, 'sh');
  process.kill(statOf(sh)!.ppid, 'SIGKILL'); // the monitor; the container dies with it
  await waitGone(sh);
  assert.ok(
    (await n.rules()).some((r) => /--dport 8080 /.test(r)),
    'the rule is still there',
  );
  expectCode(await n.mydocker(['cleanup']), 0);
  assert.not.ok(
    (await n.rules()).some((r) => /-j DNAT /.test(r)),
    'cleanup removed the rule',
  );
  await webServer('again', 'hello-again', ['-p', '8080:80']);
  assert.is(await n.sh(fetchCmd('10.66.0.1', 8080)), 'hello-again');
  expectCode(await n.mydocker(['rm', '-f', 'again', 'victim']), 0);
  expectCode(await n.mydocker(['network', 'rm', 'testnet']), 0);
  await n.linksBecome(['lo'], 'no bridge or veth is left');
});

test.run();
