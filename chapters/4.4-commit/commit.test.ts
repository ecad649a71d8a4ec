// Chapter 4.4 tests: `commit` saves what a running container sees in its root — the
// image plus its writes, minus volumes, /proc and /dev — as images/<name>.tar, and the
// container runs on. That a later `run` of the new image sees the files is tested in
// chapter 5.7, the first stage whose `run` takes an image; here the tarball is checked
// as `tar -tf` would show it.

import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  endStarted,
  hostState,
  makeRoot,
  removeRoot,
  runCli,
  stageDir,
  startSession,
  uniqueName,
  waitForProcess,
  type HostState,
  type Session,
} from '../../src/testing/harness.ts';

const STAGE = stageDir('4.4');
let root = '';
let before: HostState;
const started: number[] = [];

test.before.each(() => {
  root = makeRoot();
  before = hostState();
});
test.after.each(() => {
  // A failed assertion must not leave a container running.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  endStarted(); // and whatever else the test's CLIs started
  removeRoot(root);
});

const mydocker = (args: string[]) => runCli(STAGE, args, { root });
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
const containerIds = () =>
  fs.existsSync(path.join(root, 'containers')) ? fs.readdirSync(path.join(root, 'containers')) : [];

/** Start a container that writes, prints "ready" and sleeps; its id and its shell's pid. */
async function startWriter(script: string, extra: string[] = []): Promise<{ s: Session; id: string; sh: number }> {
  const marker = uniqueName('commit');
  const s = startSession(STAGE, ['run', ...extra, 'sh', '-c', `${script}; echo ready; sleep 1000; : ${marker}`], {
    root,
  });
  await s.waitOutput(/ready/);
  const sh = await waitForProcess(marker, 'sh');
  started.push(sh);
  const ids = containerIds();
  assert.is(ids.length, 1, `containers: ${ids}`);
  return { s, id: ids[0]!, sh };
}

async function entries(file: string): Promise<string[]> {
  const names: string[] = [];
  await tar.list({ file, onReadEntry: (e) => names.push(e.path.replace(/^\.\//, '').replace(/\/$/, '')) });
  return names;
}

test("commit saves the container's root: its writes and deletions, not volumes, /proc or /dev", async () => {
  const vol = path.join(root, 'host-volume');
  const { s, id, sh } = await startWriter('echo committed > /made.txt && rm /bin/ls && echo secret > /data/in-volume', [
    '-v',
    `${vol}:/data`,
  ]);
  const r = await mydocker(['commit', id, 'snapshot']);
  assert.is(r.code, 0, r.stderr);
  const tarball = path.join(root, 'images/snapshot.tar');
  assert.is(r.stdout.trim(), tarball);
  const names = await entries(tarball);
  for (const want of ['made.txt', 'bin/busybox', 'bin/sh', 'etc/passwd', 'proc', 'dev', 'data']) {
    assert.ok(names.includes(want), `${want} is not in the image: ${names.slice(0, 20)}…`);
  }
  assert.not.ok(names.includes('bin/ls'), 'a file deleted in the container is in the image');
  assert.not.ok(
    names.some((n) => n.startsWith('data/')),
    'volume contents are in the image',
  );
  assert.not.ok(
    names.some((n) => n.startsWith('proc/') || n.startsWith('dev/')),
    '/proc or /dev contents are in the image',
  );
  // The new image is unpacked and ready, and the base image was not changed.
  assert.is(fs.readFileSync(path.join(root, 'images/snapshot/rootfs/made.txt'), 'utf8'), 'committed\n');
  assert.not.ok(fs.existsSync(path.join(root, 'images/busybox/rootfs/made.txt')));
  // The container runs on after the commit.
  assert.ok(fs.existsSync(`/proc/${sh}`), 'the container stopped');
  process.kill(sh, 'SIGKILL');
  assert.is((await s.finish()).code, 137);
  assert.equal(containerIds(), []);
  assertHostClean(before);
});

test("a busy container commits every time; a file volume's host content stays out", async () => {
  // Processes come and go all the time: /proc changes while commit runs.
  const secret = path.join(root, 'secret.conf');
  fs.writeFileSync(secret, 'host secret\n');
  const { s, id, sh } = await startWriter('{ while :; do /bin/true; done & }', ['-v', `${secret}:/etc/app.conf`]);
  for (const n of [0, 1, 2]) expectCode(await mydocker(['commit', id, `busy${n}`]), 0);
  const names = await entries(path.join(root, 'images/busy0.tar'));
  assert.ok(names.includes('proc') && names.includes('bin/busybox'), names.slice(0, 20).join(' '));
  assert.not.ok(names.includes('etc/app.conf'), 'the file mounted from the host is in the image');
  process.kill(sh, 'SIGKILL');
  assert.is((await s.finish()).code, 137);
  assertHostClean(before);
});

test('a container can be named by the start of its id', async () => {
  const { s, id, sh } = await startWriter('true');
  const r = await mydocker(['commit', id.slice(0, 5), 'short']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(root, 'images/short.tar')));
  process.kill(sh, 'SIGKILL');
  await s.finish();
  assertHostClean(before);
});

test('bad input: exit 125 with a clear message, no image written', async () => {
  const { s, id, sh } = await startWriter('true');
  expectCode(await mydocker(['commit', id, 'taken']), 0);
  const cases: [string[], RegExp][] = [
    [['commit'], /usage: commit CONTAINER IMAGE/],
    [['commit', id], /usage: commit CONTAINER IMAGE/],
    [['commit', 'nosuchcontainer', 'x'], /no such container: nosuchcontainer/],
    [['commit', id, 'taken'], /image 'taken' exists already/],
    [['commit', id, 'Bad/Name'], /invalid image name/],
  ];
  for (const [args, message] of cases) {
    const r = await mydocker(args);
    assert.is(r.code, 125, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.not.match(r.stderr, /\n\s+at /, 'printed a stack trace');
  }
  const images = fs
    .readdirSync(path.join(root, 'images'))
    .filter((f) => f.endsWith('.tar'))
    .sort();
  assert.equal(images, ['busybox.tar', 'taken.tar']);
  assert.equal(
    fs.readdirSync(path.join(root, 'images')).filter((f) => f.startsWith('.')),
    [],
    'temporary files left',
  );
  process.kill(sh, 'SIGKILL');
  await s.finish();
  assertHostClean(before);
});

test.run();
