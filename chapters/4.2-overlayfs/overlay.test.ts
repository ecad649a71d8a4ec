// Chapter 4.2 tests: each container writes into a layer of its own; the image is never
// changed, the next container starts clean, and no write layer is left on disk.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, collect, perTest, startCli, uniqueName, waitForProcess } from '../../src/testing/harness.ts';

const t = perTest(test, '4.2');
const STAGE = t.stage;
const mydocker = t.mydocker;
const imageRoot = () => path.join(t.root, 'images/busybox/rootfs');
const leftovers = t.leftovers;

test('a file written in one container is gone in the next, and never in the image', async () => {
  const first = await mydocker(['run', 'sh', '-c', 'echo hello > /written.txt && cat /written.txt']);
  assert.is(first.code, 0, first.stderr);
  assert.is(first.stdout, 'hello\n');
  assert.not.ok(fs.existsSync(path.join(imageRoot(), 'written.txt')), 'the write reached the image');
  const second = await mydocker(['run', 'sh', '-c', 'test -e /written.txt && echo still there || echo gone']);
  assert.is(second.stdout, 'gone\n', second.stderr);
});

test("deleting an image file inside the container leaves the image's copy", async () => {
  const r = await mydocker(['run', 'sh', '-c', 'rm /bin/ls && test ! -e /bin/ls && echo deleted']);
  assert.is(r.stdout, 'deleted\n', r.stderr);
  assert.ok(fs.lstatSync(path.join(imageRoot(), 'bin/ls')).isSymbolicLink(), 'the image lost /bin/ls');
  const again = await mydocker(['run', 'ls', '/bin/ls']);
  assert.is(again.code, 0, again.stderr);
});

test("the container's root is an overlay mount, invisible on the host", async () => {
  const r = await mydocker(['run', 'cat', '/proc/self/mountinfo']);
  assert.is(r.code, 0, r.stderr);
  const rootLine = r.stdout.split('\n').find((l) => l.split(' ')[4] === '/');
  assert.match(rootLine ?? '', / - overlay /, r.stdout);
  assertHostClean(t.before);
});

test('no write layer is left after exit, after a failure to start, after a kill', async () => {
  const wrote = await mydocker(['run', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=64 2>/dev/null']);
  assert.is(wrote.code, 0, wrote.stderr);
  assert.equal(leftovers(), [], 'after a normal exit');
  const missing = await mydocker(['run', 'no-such-command']);
  assert.is(missing.code, 127, missing.stderr);
  assert.equal(leftovers(), [], 'after a command that was not found');

  const marker = uniqueName('overlay-kill');
  const done = collect(startCli(STAGE, ['run', 'sh', '-c', `sleep 1000; : ${marker}`], { root: t.root }));
  process.kill(await waitForProcess(marker, 'sh'), 'SIGKILL');
  const killed = await done;
  assert.is(killed.code, 137, killed.stderr);
  assert.equal(leftovers(), [], 'after the container was killed');
  assertHostClean(t.before);
});

test.run();
