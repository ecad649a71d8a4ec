// Chapter 5.1 tests: `run -d` prints the container's id and returns at once; the
// container runs on under a monitor in a session of its own, is cleaned up when it
// ends, and dies with its monitor. -d with -t is refused before anything exists.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  perTest,
  runtimeCgroups,
  stageAtLeast,
  uniqueName,
  waitFor,
} from '../../src/testing/harness.ts';
import {
  cmdlineOf,
  killAllContainers,
  keptFiles,
  KEPT,
  statOf,
  waitCgroupsGone,
  waitGone,
  waitSettled,
  waitForDetachedProcess,
} from '../../src/testing/containers.ts';

const t = perTest(test, '5.1', { afterEach: killAllContainers });
const STAGE = t.stage;
/** From 5.2 on a detached container's state, log and write layer stay until `rm`. */
const KEEPS_STATE = stageAtLeast('5.1', '5.2');

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
const marker = () => uniqueName('detach');

/** What a container that ended leaves under the state root. */
async function assertEndedClean(): Promise<void> {
  await waitSettled(t.root).catch(() => undefined);
  const files = keptFiles(t.root).sort();
  if (KEEPS_STATE)
    assert.ok(
      files.every((f) => KEPT.includes(f)),
      `left: ${files}`,
    );
  else assert.equal(files, [], 'the container directory was left');
  assertHostClean(t.before);
}

test('run -d prints the id and returns; the container runs on under its monitor', async () => {
  const vol = path.join(t.root, 'vol');
  const m = marker();
  const started = Date.now();
  const r = await mydocker([
    'run',
    '-d',
    '-v',
    `${vol}:/data`,
    'sh',
    '-c',
    `echo to-the-log; echo up > /data/f; sleep 1000; : ${m}`,
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{12}\n$/, 'stdout is the id alone');
  assert.ok(Date.now() - started < 15_000, 'run -d waited for the container');
  const sh = await waitForDetachedProcess(m, 'sh');
  await waitFor(() => (fs.existsSync(path.join(vol, 'f')) ? true : undefined), 10_000, 'the volume file');
  // The CLI is gone; the container's parent is the monitor, leader of its own session.
  const monitor = statOf(sh)!.ppid;
  assert.match(cmdlineOf(monitor), /\bmonitor\b/);
  assert.is(statOf(monitor)!.session, monitor, 'the monitor is not in a session of its own');
  assert.is.not(statOf(monitor)!.session, statOf(process.pid)!.session);
  process.kill(sh, 'SIGKILL');
  await waitGone(monitor);
  await assertEndedClean();
});

test('a detached container that ends by itself is cleaned up by its monitor', async () => {
  const r = await mydocker(['run', '-d', '-m', '64m', 'sh', '-c', 'exit 3']);
  assert.is(r.code, 0, r.stderr);
  await waitCgroupsGone();
  await waitFor(
    () => (keptFiles(t.root).some((f) => !(KEEPS_STATE ? KEPT : []).includes(f)) ? undefined : true),
    10_000,
    'the working files to go',
  );
  await assertEndedClean();
});

test('the container dies with its monitor (PR_SET_PDEATHSIG); cleanup removes what is left', async () => {
  const m = marker();
  expectCode(await mydocker(['run', '-d', 'sh', '-c', `sleep 1000; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  const monitor = statOf(sh)!.ppid;
  process.kill(monitor, 'SIGKILL');
  await waitGone(sh);
  assert.ok(runtimeCgroups().length > 0, 'expected the killed monitor to leave its cgroup');
  const c = await mydocker(['cleanup']);
  assert.is(c.code, 0, c.stderr);
  await assertEndedClean();
});

test('-d with -t is refused with exit 125 before anything is created', async () => {
  for (const flags of [['-d', '-t'], ['-dt'], ['-t', '-d', '-i']]) {
    const r = await mydocker(['run', ...flags, 'sh']);
    assert.is(r.code, 125, `${flags}: ${r.stderr}`);
    assert.match(r.stderr, /-d and -t cannot be used together/);
  }
  assert.equal(keptFiles(t.root), []);
  assert.not.ok(
    fs.existsSync(path.join(t.root, 'containers')) && fs.readdirSync(path.join(t.root, 'containers')).length,
  );
  assertHostClean(t.before);
});

test('run -d of a command that is missing (127) or cannot run (126) fails at once; nothing is left', async () => {
  for (const [command, code, message] of [
    ['nosuchcommand', 127, /nosuchcommand: executable file not found/],
    ['/bin', 126, /\/bin: is a directory/],
  ] as const) {
    const r = await mydocker(['run', '-d', command]);
    assert.is(r.code, code, `${command}: ${r.stderr}`);
    assert.is(r.stdout, '', `${command}: an id was printed`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(
      fs.existsSync(path.join(t.root, 'containers')) ? fs.readdirSync(path.join(t.root, 'containers')) : [],
      [],
    );
    await waitCgroupsGone();
    assertHostClean(t.before);
  }
  // In the foreground the same, once: the runtime says it (not init, then the runtime again).
  const r = await mydocker(['run', 'nosuchcommand']);
  assert.is(r.code, 127, r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
});

test('several detached containers run side by side', async () => {
  const m = marker();
  const runs = await Promise.all([1, 2, 3].map((i) => mydocker(['run', '-d', 'sh', '-c', `sleep 1000; : ${m}-${i}`])));
  for (const r of runs) expectCode(r, 0);
  const ids = runs.map((r) => r.stdout.trim());
  assert.is(new Set(ids).size, 3, `ids: ${ids}`);
  for (const i of [1, 2, 3]) await waitForDetachedProcess(`${m}-${i}`, 'sh');
  // A cgroup each: on v1 one per container in the memory hierarchy, on v2 one per container.
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  assert.is(runtimeCgroups().filter((c) => v2 || c.startsWith('/sys/fs/cgroup/memory/')).length, 3);
  await killAllContainers(t.root);
  await assertEndedClean();
});

test.run();
