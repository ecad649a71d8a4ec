// Chapter 5.6 tests: `rm` removes an ended container — state, log, write layer, cgroup,
// name — and never a volume's data; a running one only with -f, which kills it first.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, collect, perTest, startCli, uniqueName, waitFor } from '../../src/testing/harness.ts';
import { alive, keptFiles, killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.6', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
const marker = () => uniqueName('rm');
const containers = () =>
  fs.existsSync(path.join(t.root, 'containers')) ? fs.readdirSync(path.join(t.root, 'containers')) : [];
const names = () => (fs.existsSync(path.join(t.root, 'names')) ? fs.readdirSync(path.join(t.root, 'names')) : []);

async function waitExited(name: string): Promise<void> {
  await waitFor(
    () => {
      const dir = path.join(t.root, 'containers');
      for (const id of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        try {
          const s = JSON.parse(fs.readFileSync(path.join(dir, id, 'state.json'), 'utf8'));
          if (s.name === name && s.status === 'exited' && !fs.existsSync(path.join(dir, id, 'owner'))) return true;
        } catch {
          // being written
        }
      }
      return undefined;
    },
    15_000,
    `${name} to exit`,
  );
}

test('rm removes an exited container: state, log, name; the name is free again', async () => {
  expectCode(await mydocker(['run', '-d', '--name', 'old', 'sh', '-c', 'echo bye']), 0);
  await waitExited('old');
  assert.equal(names(), ['old']);
  const r = await mydocker(['rm', 'old']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'old\n');
  assert.equal(containers(), []);
  assert.equal(names(), []);
  assert.is((await mydocker(['ps'])).stdout.trim().split('\n').length, 1, 'ps still lists it');
  expectCode(await mydocker(['run', '--name', 'old', 'true']), 0);
  assertHostClean(t.before);
});

test('rm refuses a running container; rm -f kills it and removes everything', async () => {
  const m = marker();
  expectCode(await mydocker(['run', '-d', '--name', 'busy', 'sh', '-c', `sleep 1000; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  const refused = await mydocker(['rm', 'busy']);
  assert.is(refused.code, 125, refused.stderr);
  assert.match(refused.stderr, /container busy is running: stop it first/);
  assert.ok(alive(sh), 'rm without -f stopped the container');
  const forced = await mydocker(['rm', '-f', 'busy']);
  assert.is(forced.code, 0, forced.stderr);
  assert.not.ok(alive(sh));
  assert.equal(containers(), []);
  assert.equal(names(), []);
  assertHostClean(t.before);
});

test('rm -f kills with SIGKILL and sends no SIGTERM first (a TERM handler never runs)', async () => {
  // A TERM handler that starts writes the file; SIGTERM followed at once by SIGKILL lets
  // it start on some runs and not others, so four containers are removed at once.
  const vol = path.join(t.root, 'trap');
  const ms = [0, 1, 2, 3].map((i) => `${marker()}-${i}`);
  for (const [i, m] of ms.entries()) {
    const script = `trap "echo TERM >> /data/term-${i}" TERM; while :; do :; done; : ${m}`;
    expectCode(await mydocker(['run', '-d', '--name', `trap${i}`, '-v', `${vol}:/data`, 'sh', '-c', script]), 0);
  }
  for (const m of ms) await waitForDetachedProcess(m, 'sh');
  expectCode(await mydocker(['rm', '-f', 'trap0', 'trap1', 'trap2', 'trap3']), 0);
  assert.equal(fs.readdirSync(vol), [], 'a TERM handler ran');
  assert.equal(containers(), []);
  assertHostClean(t.before);
});

test("rm never removes a volume's data", async () => {
  const vol = path.join(t.root, 'vol');
  expectCode(
    await mydocker(['run', '-d', '--name', 'writer', '-v', `${vol}:/data`, 'sh', '-c', 'echo precious > /data/keep']),
    0,
  );
  await waitExited('writer');
  const rm = await mydocker(['rm', 'writer']);
  // The danger first, whatever rm's exit: the volume's data.
  assert.ok(
    fs.existsSync(path.join(vol, 'keep')),
    `rm deleted the volume's data (through its mount?); rm exit ${rm.code}, stderr: ${rm.stderr}`,
  );
  expectCode(rm, 0);
  assert.is(fs.readFileSync(path.join(vol, 'keep'), 'utf8'), 'precious\n');
  const m = marker();
  expectCode(
    await mydocker([
      'run',
      '-d',
      '--name',
      'live',
      '-v',
      `${vol}:/data`,
      'sh',
      '-c',
      `echo more > /data/more; sleep 1000; : ${m}`,
    ]),
    0,
  );
  await waitForDetachedProcess(m, 'sh');
  await waitFor(() => (fs.existsSync(path.join(vol, 'more')) ? true : undefined), 10_000, 'the volume write');
  const forced = await mydocker(['rm', '-f', 'live']);
  assert.equal(
    fs.readdirSync(vol).sort(),
    ['keep', 'more'],
    `rm -f deleted the volume's data; rm exit ${forced.code}, stderr: ${forced.stderr}`,
  );
  expectCode(forced, 0);
  assertHostClean(t.before);
});

test('rm -f of a foreground container: its run exits 137 and leaves nothing', async () => {
  const m = marker();
  const done = collect(startCli(STAGE, ['run', '--name', 'fg', 'sh', '-c', `sleep 1000; : ${m}`], { root: t.root }));
  await waitForDetachedProcess(m, 'sh');
  const r = await mydocker(['rm', '-f', 'fg']);
  assert.is(r.code, 0, r.stderr);
  assert.is((await done).code, 137);
  assert.equal(containers(), []);
  assert.equal(keptFiles(t.root), []);
  assertHostClean(t.before);
});

test('unknown containers and bad usage exit 125; the others are still removed', async () => {
  expectCode(await mydocker(['run', '-d', '--name', 'one', 'true']), 0);
  await waitExited('one');
  const r = await mydocker(['rm', 'nosuch', 'one']);
  assert.is(r.code, 125, r.stderr);
  assert.match(r.stderr, /no such container: nosuch/);
  assert.is(r.stdout, 'one\n', r.stderr);
  assert.equal(containers(), []);
  const usage = await mydocker(['rm']);
  assert.is(usage.code, 125, usage.stderr);
  assert.match(usage.stderr, /usage: rm/);
});

test.run();
