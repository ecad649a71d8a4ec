// Chapter 5.5 tests: `stop` sends SIGTERM and, after -t seconds, SIGKILL (a PID 1 that
// installed no handler never sees SIGTERM); the container shows as exited, its cgroup
// and write layer are gone, its state stays.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, collect, perTest, startCli, uniqueName } from '../../src/testing/harness.ts';
import { alive, keptFiles, killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.5', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
const marker = () => uniqueName('stop');

async function status(name: string): Promise<string | undefined> {
  const ps = await mydocker(['ps']);
  return ps.stdout
    .split('\n')
    .map((l) => l.split(/\s{2,}/))
    .find((c) => c[1] === name)?.[3];
}

test('a container that handles SIGTERM ends at once with its own exit code', async () => {
  const m = marker();
  expectCode(
    await mydocker([
      'run',
      '-d',
      '--name',
      'polite',
      'sh',
      '-c',
      `trap 'exit 3' TERM; while :; do sleep 0.1; done; : ${m}`,
    ]),
    0,
  );
  const sh = await waitForDetachedProcess(m, 'sh');
  const started = Date.now();
  const r = await mydocker(['stop', 'polite']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'polite\n');
  assert.ok(Date.now() - started < 8_000, `stop took ${Date.now() - started} ms: it waited for the timeout`);
  assert.not.ok(alive(sh));
  assert.is(await status('polite'), 'exited (3)');
  assert.equal(keptFiles(t.root).sort(), ['container.log', 'container.log.stdout', 'state.json', 'upper']);
  assertHostClean(t.before);
});

test('PID 1 without a handler ignores SIGTERM: SIGKILL after -t seconds, exited (137)', async () => {
  const m = marker();
  expectCode(await mydocker(['run', '-d', '--name', 'stubborn', 'sh', '-c', `while :; do sleep 0.1; done; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  const started = Date.now();
  const r = await mydocker(['stop', '-t', '2', 'stubborn']);
  const took = Date.now() - started;
  assert.is(r.code, 0, r.stderr);
  assert.ok(took >= 2_000, `stop returned after ${took} ms, before the timeout`);
  assert.ok(took < 12_000, `stop took ${took} ms`);
  assert.not.ok(alive(sh));
  assert.is(await status('stubborn'), 'exited (137)');
  assertHostClean(t.before);
});

test('stop -t 0 kills at once; several containers at a time', async () => {
  const m = marker();
  for (const n of ['a', 'b'])
    expectCode(await mydocker(['run', '-d', '--name', n, 'sh', '-c', `sleep 1000; : ${m}-${n}`]), 0);
  await waitForDetachedProcess(`${m}-a`, 'sh');
  await waitForDetachedProcess(`${m}-b`, 'sh');
  const r = await mydocker(['stop', '-t', '0', 'a', 'b']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'a\nb\n');
  assert.is(await status('a'), 'exited (137)');
  assert.is(await status('b'), 'exited (137)');
  assertHostClean(t.before);
});

test('stopping a stopped container changes nothing; bad input exits 125', async () => {
  expectCode(await mydocker(['run', '-d', '--name', 'done', 'sh', '-c', 'exit 4']), 0);
  let st = await status('done');
  for (let i = 0; i < 100 && st !== 'exited (4)'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    st = await status('done');
  }
  assert.is(st, 'exited (4)');
  const again = await mydocker(['stop', 'done']);
  assert.is(again.code, 0, again.stderr);
  assert.is(await status('done'), 'exited (4)');
  for (const [args, msg] of [
    [['stop'], /usage: stop/],
    [['stop', 'nosuch'], /no such container: nosuch/],
    [['stop', '-t', 'soon', 'done'], /invalid -t "soon"/],
  ] as const) {
    const r = await mydocker([...args]);
    assert.is(r.code, 125, `${args.join(' ')}: exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});

test('a foreground container can be stopped from another terminal', async () => {
  const m = marker();
  const fg = startCli(STAGE, ['run', '--name', 'fg', 'sh', '-c', `sleep 1000; : ${m}`], { root: t.root });
  const done = collect(fg);
  await waitForDetachedProcess(m, 'sh');
  const r = await mydocker(['stop', '-t', '1', 'fg']);
  assert.is(r.code, 0, r.stderr);
  assert.is((await done).code, 137);
  assert.equal(keptFiles(t.root), [], 'a foreground container was kept');
  assertHostClean(t.before);
});

test.run();
