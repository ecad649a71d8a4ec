// Chapter 5.2 tests: every container has an id and a unique name; `ps` lists them with
// ID, NAME, PID, STATUS, COMMAND and CREATED from the state in containers/<id>/state.json;
// a detached container that ends shows "exited (N)" and keeps its state, a foreground
// one goes when it ends, and one whose runtime died shows as exited.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  perTest,
  stageAtLeast,
  startSession,
  uniqueName,
  waitFor,
} from '../../src/testing/harness.ts';
import {
  keptFiles,
  killAllContainers,
  statOf,
  waitCgroupsGone,
  waitGone,
  waitSettled,
  waitForDetachedProcess,
} from '../../src/testing/containers.ts';

const t = perTest(test, '5.2', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
const marker = () => uniqueName('ps');

/** `ps` as rows of cells (columns are two or more spaces apart; COMMAND may hold single spaces). */
async function ps(): Promise<Record<string, string>[]> {
  const r = await mydocker(['ps']);
  assert.is(r.code, 0, r.stderr);
  const [header, ...lines] = r.stdout.trimEnd().split('\n');
  const cols = header!.split(/\s{2,}/);
  // From chapter 5.7 on, ps shows each container's image before its command; from 6.3
  // on, its address after its status.
  assert.equal(cols, [
    ...['ID', 'NAME', 'PID', 'STATUS'],
    ...(stageAtLeast('5.2', '6.3') ? ['IP'] : []),
    ...(stageAtLeast('5.2', '5.7') ? ['IMAGE'] : []),
    ...['COMMAND', 'CREATED'],
  ]);
  return lines.map((l) => Object.fromEntries(l.split(/\s{2,}/).map((c, i) => [cols[i], c])));
}

const row = async (name: string) => (await ps()).find((r) => r.NAME === name);

test('ps lists each container: id, name, pid, status, command with its spaces, created', async () => {
  const m = marker();
  const r = await mydocker(['run', '-d', '--name', 'web', 'sh', '-c', `sleep 1000; : ${m}`]);
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const sh = await waitForDetachedProcess(m, 'sh');
  const other = await mydocker(['run', '-d', 'sleep', '1000']);
  assert.is(other.code, 0, other.stderr);
  const rows = await ps();
  assert.is(rows.length, 2);
  const web = rows.find((x) => x.NAME === 'web')!;
  assert.is(web.ID, id);
  assert.is(web.PID, String(sh));
  assert.is(web.STATUS, 'running');
  assert.is(web.COMMAND, `sh -c 'sleep 1000; : ${m}'`);
  assert.match(web.CREATED!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  const made = rows.find((x) => x.ID === other.stdout.trim())!;
  assert.match(made.NAME!, /^[a-z]+_[a-z]+$/, 'a made-up name');
  assert.is(made.COMMAND, 'sleep 1000');
  // The state is plain JSON under the state root.
  const state = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'state.json'), 'utf8'));
  assert.is(state.name, 'web');
  assert.is(state.pid, sh);
  assert.equal(state.command, ['sh', '-c', `sleep 1000; : ${m}`]);
});

test('ps -q prints the ids alone, oldest first; -a and --no-trunc are accepted', async () => {
  const ids: string[] = [];
  for (const name of ['q1', 'q2']) {
    const r = await mydocker(['run', '-d', '--name', name, 'true']);
    expectCode(r, 0);
    ids.push(r.stdout.trim());
  }
  for (const flags of [['-q'], ['--quiet'], ['-aq'], ['-q', '--no-trunc']]) {
    const r = await mydocker(['ps', ...flags]);
    expectCode(r, 0);
    assert.is(r.stdout, ids.join('\n') + '\n', `ps ${flags.join(' ')}`);
  }
  const bad = await mydocker(['ps', '--nope']);
  assert.is(bad.code, 125, bad.stderr);
  await waitCgroupsGone();
});

test('a name is unique: a second container of that name is refused (125), the first runs on', async () => {
  const m = marker();
  expectCode(await mydocker(['run', '-d', '--name', 'dup', 'sh', '-c', `sleep 1000; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  for (const args of [
    ['run', '-d', '--name', 'dup', 'true'],
    ['run', '--name', 'dup', 'true'],
  ]) {
    const r = await mydocker(args);
    assert.is(r.code, 125, r.stderr);
    assert.match(r.stderr, /name "dup" is already in use/);
  }
  assert.is((await row('dup'))?.STATUS, 'running');
  assert.is((await ps()).length, 1, 'a refused container was recorded');
  assert.ok(statOf(sh), 'the first container stopped');
});

test('of five runs racing for one name, exactly one gets it', async () => {
  const results = await Promise.all(
    [1, 2, 3, 4, 5].map(() => mydocker(['run', '-d', '--name', 'race', 'sleep', '1000'])),
  );
  assert.equal(results.map((r) => r.code).sort(), [0, 125, 125, 125, 125], results.map((r) => r.stderr).join(''));
  assert.is((await ps()).length, 1);
});

test('bad names are refused before anything is created', async () => {
  for (const name of ['a b', 'bad/name', '', '.hidden', 'x'.repeat(65)]) {
    const r = await mydocker(['run', `--name=${name}`, 'true']);
    assert.is(r.code, 125, `"${name}": ${r.stderr}`);
    assert.match(r.stderr, /invalid container name/);
  }
  assert.equal(keptFiles(t.root), []);
});

test('a detached container that ends by itself shows exited (N) and keeps its state', async () => {
  const r = await mydocker(['run', '-d', '--name', 'quick', 'sh', '-c', 'exit 5']);
  assert.is(r.code, 0, r.stderr);
  await waitCgroupsGone();
  await waitFor(
    () =>
      JSON.parse(fs.readFileSync(path.join(t.root, 'containers', r.stdout.trim(), 'state.json'), 'utf8')).status ===
      'exited'
        ? true
        : undefined,
    10_000,
    'the exit to be recorded',
  );
  const quick = await row('quick');
  assert.is(quick?.STATUS, 'exited (5)');
  assert.is(quick?.PID, '-');
  await waitSettled(t.root);
  assert.equal(keptFiles(t.root).sort(), ['container.log', 'container.log.stdout', 'state.json', 'upper']);
  assert.equal(
    fs.readdirSync(path.join(t.root, 'containers', r.stdout.trim())).filter((f) => f.includes('tmp')),
    [],
  );
  assertHostClean(t.before);
});

test('a stopped container keeps its write layer: commit saves it (changes and deletions) and mounts nothing on the host', async () => {
  const r = await mydocker(['run', '-d', '--name', 'stopped', 'sh', '-c', 'echo kept > /etc/flavor; rm /etc/group']);
  expectCode(r, 0);
  const state = path.join(t.root, 'containers', r.stdout.trim(), 'state.json');
  await waitFor(
    () => (JSON.parse(fs.readFileSync(state, 'utf8')).status === 'exited' ? true : undefined),
    10_000,
    'the exit to be recorded',
  );
  await waitSettled(t.root);
  assert.is((await row('stopped'))?.STATUS, 'exited (0)');
  const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const c = await mydocker(['commit', 'stopped', 'fromstopped']);
  expectCode(c, 0);
  const rootfs = path.join(t.root, 'images', 'fromstopped', 'rootfs');
  assert.is(fs.readFileSync(path.join(rootfs, 'etc/flavor'), 'utf8'), 'kept\n');
  assert.not.ok(fs.existsSync(path.join(rootfs, 'etc/group')), 'a deleted file came back');
  assert.ok(fs.existsSync(path.join(rootfs, 'bin/sh')), 'the image is not under the write layer');
  assert.is(fs.readFileSync('/proc/self/mountinfo', 'utf8'), mountsBefore, 'commit changed the host mounts');
  assert.equal(keptFiles(t.root).sort(), ['container.log', 'container.log.stdout', 'state.json', 'upper']);
  assertHostClean(t.before);
});

test('a foreground container is listed while it runs and removed when it ends', async () => {
  const m = marker();
  const s = startSession(STAGE, ['run', '--name', 'fg', 'sh', '-c', `echo ready; sleep 1000; : ${m}`], {
    root: t.root,
  });
  await s.waitOutput(/ready/);
  const sh = await waitForDetachedProcess(m, 'sh');
  const fg = await row('fg');
  assert.is(fg?.STATUS, 'running');
  assert.is(fg?.PID, String(sh));
  process.kill(sh, 'SIGKILL');
  assert.is((await s.finish()).code, 137);
  assert.equal(await ps(), []);
  assert.equal(keptFiles(t.root), []);
  // Its name is free again.
  const again = await mydocker(['run', '--name', 'fg', 'true']);
  assert.is(again.code, 0, again.stderr);
  assertHostClean(t.before);
});

test('a foreground run killed with SIGKILL: cleanup, or the next run, frees its name', async () => {
  const names = path.join(t.root, 'names');
  for (const freeBy of [['cleanup'], ['run', 'true']]) {
    const m = marker();
    const s = startSession(STAGE, ['run', '--name', 'killed', 'sh', '-c', `echo ready; sleep 1000; : ${m}`], {
      root: t.root,
    });
    await s.waitOutput(/ready/);
    const sh = await waitForDetachedProcess(m, 'sh');
    s.child.kill('SIGKILL'); // the runtime itself; its container dies with it (PR_SET_PDEATHSIG)
    await s.finish();
    await waitGone(sh);
    assert.ok(fs.existsSync(path.join(names, 'killed')), 'the claim is there before the cleanup');
    expectCode(await mydocker(freeBy), 0);
    assert.not.ok(fs.existsSync(path.join(names, 'killed')), `${freeBy[0]}: the claim of a removed container stays`);
    assert.equal(await ps(), []);
    await waitCgroupsGone();
  }
  assertHostClean(t.before);
});

test('a container whose monitor died shows as exited; cleanup keeps its state, removes the rest', async () => {
  const m = marker();
  expectCode(await mydocker(['run', '-d', '--name', 'orphan', 'sh', '-c', `sleep 1000; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  process.kill(statOf(sh)!.ppid, 'SIGKILL');
  await waitGone(sh);
  assert.is((await row('orphan'))?.STATUS, 'exited (unknown)');
  const cleanup = await mydocker(['cleanup']);
  expectCode(cleanup, 0);
  assert.match(cleanup.stdout, /^cleaned up after 1 ended container\(s\) that are kept: [0-9a-f]{12}$/m);
  assert.equal(keptFiles(t.root).sort(), ['container.log', 'container.log.stdout', 'state.json', 'upper']);
  assert.is((await row('orphan'))?.STATUS, 'exited (unknown)');
  assertHostClean(t.before);
});

test.run();
