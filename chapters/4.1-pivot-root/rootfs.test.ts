// Chapter 4.1 tests: the container's "/" is the busybox image, nothing of the host's
// tree is reachable, /proc and a minimal /dev are there, and the host's mount table
// is the same afterwards.

import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest, REPO } from '../../src/testing/harness.ts';

const t = perTest(test, '4.1');
const STAGE = t.stage;
const mydocker = t.mydocker;

test('/ inside is the busybox image', async () => {
  const r = await mydocker(['run', 'sh', '-c', 'ls /; readlink /bin/sh; busybox | head -1']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split(/\s+/);
  for (const dir of ['bin', 'dev', 'etc', 'proc', 'tmp', 'usr'])
    assert.ok(lines.includes(dir), `no /${dir} in ${r.stdout}`);
  assert.match(r.stdout, /BusyBox v/);
  const imageRoot = fs.readdirSync(`${t.root}/images/busybox/rootfs`);
  assert.ok(imageRoot.includes('bin'), 'the image was not built under the state root');
});

test("the host's files are not reachable", async () => {
  // Paths that certainly exist on the host: this repository and the test's state root.
  const paths = [`${REPO}/package.json`, t.root, '/sys/fs/cgroup'];
  const r = await mydocker([
    'run',
    'sh',
    '-c',
    paths.map((p) => `test -e '${p}' && echo "visible: ${p}"`).join('; ') + '; true',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '', r.stdout);
});

test('the old root is unmounted: the container sees only its own mounts', async () => {
  const r = await mydocker(['run', 'cat', '/proc/self/mountinfo']);
  assert.is(r.code, 0, r.stderr);
  const mountPoints = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[4]);
  assert.ok(mountPoints.includes('/'), r.stdout);
  assert.ok(mountPoints.includes('/proc'), r.stdout);
  assert.ok(mountPoints.includes('/dev'), r.stdout);
  assert.not.ok(
    mountPoints.some((m) => m!.includes('pivot_root') || m!.startsWith('/sys')),
    `host mounts remain: ${mountPoints}`,
  );
});

test('/dev holds the basic device nodes, and they work', async () => {
  const nodes = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
  const r = await mydocker([
    'run',
    'sh',
    '-c',
    nodes.map((n) => `test -c /dev/${n} || echo "missing /dev/${n}"`).join('; ') +
      '; echo x > /dev/null; head -c 16 /dev/urandom | wc -c; ls /dev',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, /missing/);
  assert.match(r.stdout, /^16$/m);
  // The host's disks are not there.
  assert.not.match(r.stdout, /\b(sd[a-z]|vd[a-z]|nvme\d|mem|kmsg)\b/, r.stdout);
});

test('/proc is mounted and shows the container', async () => {
  // ('; exit' keeps sh from exec'ing cat in its own place, so PID 1 stays sh.)
  const r = await mydocker(['run', 'sh', '-c', 'cat /proc/1/comm; exit']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'sh\n');
});

test('the sensitive corners of /proc are masked or read-only', async () => {
  // Files the host kernel has: masked ones must read empty inside.
  const masked = ['/proc/keys', '/proc/timer_list', '/proc/interrupts', '/proc/kcore'].filter((p) => fs.existsSync(p));
  const readonly = ['/proc/sys/kernel/hostname', '/proc/sysrq-trigger'].filter((p) => fs.existsSync(p));
  const script = [
    ...masked.map((p) => `echo "${p} $(head -c 64 ${p} | wc -c)"`),
    ...readonly.map((p) => `(echo x > ${p}) 2>/dev/null && echo "writable ${p}"`),
    'true',
  ].join('; ');
  const r = await mydocker(['run', 'sh', '-c', script]);
  assert.is(r.code, 0, r.stderr);
  for (const p of masked) assert.match(r.stdout, new RegExp(`^${p} 0$`, 'm'), `${p} is readable: ${r.stdout}`);
  assert.not.match(r.stdout, /writable/);
  assert.ok(masked.length + readonly.length > 0, 'nothing to check on this kernel');
});

test('the working directory is the container root', async () => {
  const r = await mydocker(['run', 'sh', '-c', 'pwd; readlink /proc/self/cwd']);
  assert.is(r.stdout, '/\n/\n', r.stderr);
});

test("the host's mount table is unchanged after the run", async () => {
  const r = await mydocker(['run', 'true']);
  assert.is(r.code, 0, r.stderr);
  assertHostClean(t.before);
});

test('import adds a rootfs tarball as an image; bad input exits 125', async () => {
  // Export the busybox image's tarball and import it under another name.
  const built = await mydocker(['run', 'true']);
  assert.is(built.code, 0, built.stderr);
  const r = await mydocker(['import', `${t.root}/images/busybox.tar`, 'copy']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), `${t.root}/images/copy/rootfs`);
  assert.ok(fs.existsSync(`${t.root}/images/copy/rootfs/bin/busybox`));
  for (const args of [
    ['import'],
    ['import', `${t.root}/nope.tar`, 'x'],
    ['import', `${t.root}/images/busybox.tar`, 'Bad/Name'],
  ]) {
    const bad = await mydocker(args);
    assert.is(bad.code, 125, `${args.join(' ')}: exit ${bad.code}, stderr: ${bad.stderr}`);
    assert.not.match(bad.stderr, /\n\s+at /, 'printed a stack trace');
  }
});

test.run();
