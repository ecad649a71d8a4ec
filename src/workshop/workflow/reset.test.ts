// Tests of `npm run reset` on a fixture git repository: it refuses while the exercise has
// uncommitted edits, --force saves them in a backup first, committed work is safe to
// replace, and no other chapter is touched.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main as exercisesMain } from './exercises.ts';
import { generateStage } from './generate.ts';
import { readProgress, recordVerify } from './progress.ts';
import { main as resetMain } from './reset.ts';
import { capture, fixtureRepo, read, write } from './test-helpers.ts';

/** A fixture repository with its exercises generated and committed. */
async function committedRepo() {
  const ws = fixtureRepo({ git: true });
  await capture(() => exercisesMain([], ws));
  ws.git('add', '-A');
  ws.git('commit', '-qm', 'exercises as generated');
  return ws;
}

const generated = (ws: ReturnType<typeof fixtureRepo>, tag: string, file: string) =>
  generateStage(tag, { ws })
    .find((g) => g.file === file)!
    .content.toString();

test('refuses while the exercise has uncommitted edits, and changes nothing', async () => {
  const ws = await committedRepo();
  try {
    write(ws, 'exercises/1.1/answer.ts', 'my work\n');
    write(ws, 'exercises/1.1/helper.ts', 'my own file\n');
    const r = await capture(() => resetMain(['1.1'], ws));
    assert.is(r.value, 1);
    assert.match(r.stderr, /reset refused: exercises\/1\.1 has edits that are not committed/);
    assert.match(r.stderr, /exercises\/1\.1\/answer\.ts/);
    assert.match(r.stderr, /exercises\/1\.1\/helper\.ts/);
    assert.match(r.stderr, /npm run reset 1\.1 -- --force/);
    assert.is(read(ws, 'exercises/1.1/answer.ts'), 'my work\n');
    assert.is(read(ws, 'exercises/1.1/helper.ts'), 'my own file\n');
    assert.not.ok(fs.existsSync(path.join(ws.root, '.mydocker-backup')), 'a backup without --force');
  } finally {
    ws.remove();
  }
});

test('--force copies the edits to .mydocker-backup/<time>/ and says where, then restores', async () => {
  const ws = await committedRepo();
  try {
    write(ws, 'exercises/1.1/answer.ts', 'my work\n');
    write(ws, 'exercises/1.1/helper.ts', 'my own file\n');
    const r = await capture(() => resetMain(['1.1', '--force'], ws));
    assert.is(r.value, 0, r.stderr);
    const backup = /saved in (\S+)/.exec(r.stdout)?.[1];
    assert.ok(backup, r.stdout);
    assert.is(path.dirname(backup!), path.join(ws.root, '.mydocker-backup'));
    assert.is(fs.readFileSync(path.join(backup!, 'exercises/1.1/answer.ts'), 'utf8'), 'my work\n');
    assert.is(fs.readFileSync(path.join(backup!, 'exercises/1.1/helper.ts'), 'utf8'), 'my own file\n');
    assert.is(read(ws, 'exercises/1.1/answer.ts'), generated(ws, '1.1', 'answer.ts'));
    assert.not.ok(fs.existsSync(path.join(ws.root, 'exercises/1.1/helper.ts')), 'the extra file is still there');
    assert.match(r.stdout, /exercises\/1\.1 restored as generated/);
  } finally {
    ws.remove();
  }
});

test("reset clears the chapter's result, so `npm run chapters` no longer shows it done", async () => {
  const ws = await committedRepo();
  try {
    recordVerify('1.1', { passed: true, tests: 3, failed: 0 }, ws, {});
    recordVerify('1.2', { passed: true, tests: 2, failed: 0 }, ws, {});
    const r = await capture(() => resetMain(['1.1'], ws));
    assert.is(r.value, 0, r.stderr);
    assert.equal(Object.keys(readProgress(ws).chapters), ['1.2']);
  } finally {
    ws.remove();
  }
});

test('never touches another chapter', async () => {
  const ws = await committedRepo();
  try {
    write(ws, 'exercises/1.1/answer.ts', 'my 1.1 work\n');
    write(ws, 'exercises/1.2/main.ts', 'my 1.2 work\n');
    const r = await capture(() => resetMain(['1.2', '--force'], ws));
    assert.is(r.value, 0, r.stderr);
    assert.is(read(ws, 'exercises/1.1/answer.ts'), 'my 1.1 work\n');
    assert.is(read(ws, 'exercises/1.2/main.ts'), generated(ws, '1.2', 'main.ts'));
  } finally {
    ws.remove();
  }
});

test('committed work is replaced without --force (git still has it)', async () => {
  const ws = await committedRepo();
  try {
    write(ws, 'exercises/1.1/answer.ts', 'committed work\n');
    ws.git('commit', '-qam', 'my solution');
    const r = await capture(() => resetMain(['1.1'], ws));
    assert.is(r.value, 0, r.stderr);
    assert.is(read(ws, 'exercises/1.1/answer.ts'), generated(ws, '1.1', 'answer.ts'));
    assert.is(ws.git('show', 'HEAD:exercises/1.1/answer.ts'), 'committed work\n');
  } finally {
    ws.remove();
  }
});

test('without git, any change counts as the learner’s work', async () => {
  const ws = fixtureRepo();
  try {
    await capture(() => exercisesMain([], ws));
    fs.rmSync(path.join(ws.root, 'node_modules'), { recursive: true, force: true }); // forget what the generator wrote
    write(ws, 'exercises/1.1/answer.ts', 'my work\n');
    const r = await capture(() => resetMain(['1.1'], ws));
    assert.is(r.value, 1);
    assert.match(r.stderr, /git HEAD could not be read/);
    const again = await capture(() => resetMain(['1.1'], ws));
    assert.is(again.value, 1);
  } finally {
    ws.remove();
  }
});

test('usage: unknown chapter, missing chapter', async () => {
  const ws = await committedRepo();
  try {
    assert.throws(() => resetMain(['7.7'], ws), /unknown chapter "7\.7"/);
    assert.throws(() => resetMain([], ws), /usage: npm run reset <chapter>/);
    assert.throws(() => resetMain(['1.1', '--hard'], ws), /unknown option --hard/);
  } finally {
    ws.remove();
  }
});

test.run();
