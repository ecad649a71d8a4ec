// Tests of the progress file: verify's result is saved and read back, a damaged file
// counts as no progress, and under sudo the file belongs to the user who called sudo.

import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main as chaptersMain } from './chapters.ts';
import { progressPath, readProgress, recordVerify } from './progress.ts';
import { capture, fixtureRepo } from './test-helpers.ts';

test('a result is saved and read back; the newest result per chapter wins', () => {
  const ws = fixtureRepo();
  try {
    assert.equal(readProgress(ws).chapters, {});
    recordVerify('1.1', { passed: false, tests: 3, failed: 2 }, ws, {});
    recordVerify('1.1', { passed: true, tests: 3, failed: 0 }, ws, {});
    recordVerify('1.2', { passed: false, tests: 4, failed: 1 }, ws, {});
    const p = readProgress(ws);
    assert.is(p.chapters['1.1']!.passed, true);
    assert.is(p.chapters['1.2']!.failed, 1);
    assert.match(p.chapters['1.1']!.at, /^\d{4}-\d\d-\d\dT/);
  } finally {
    ws.remove();
  }
});

test('a damaged progress file counts as no progress', () => {
  const ws = fixtureRepo();
  try {
    fs.writeFileSync(progressPath(ws), '{ not json');
    assert.equal(readProgress(ws).chapters, {});
    recordVerify('1.1', { passed: true, tests: 1, failed: 0 }, ws, {});
    assert.is(readProgress(ws).chapters['1.1']!.passed, true);
  } finally {
    ws.remove();
  }
});

test('under sudo the file is owned by SUDO_UID/SUDO_GID', () => {
  if (process.getuid?.() !== 0) assert.unreachable('this test needs root (it checks chown); run the tests with sudo');
  const ws = fixtureRepo();
  try {
    recordVerify('1.1', { passed: true, tests: 1, failed: 0 }, ws, { SUDO_UID: '12345', SUDO_GID: '23456' });
    const st = fs.statSync(progressPath(ws));
    assert.is(st.uid, 12345);
    assert.is(st.gid, 23456);
    // Rewritten later (atomically, as a new file): still theirs.
    recordVerify('1.2', { passed: true, tests: 1, failed: 0 }, ws, { SUDO_UID: '12345', SUDO_GID: '23456' });
    assert.is(fs.statSync(progressPath(ws)).uid, 12345);
    // Without sudo nothing is changed hands.
    recordVerify('1.2', { passed: true, tests: 1, failed: 0 }, ws, {});
    assert.is(fs.statSync(progressPath(ws)).uid, 0);
  } finally {
    ws.remove();
  }
});

test('npm run chapters shows ✔ for a passed chapter and ✘ for a failed one', async () => {
  const ws = fixtureRepo();
  try {
    fs.mkdirSync(`${ws.root}/exercises/1.2`, { recursive: true });
    fs.writeFileSync(`${ws.root}/exercises/1.2/main.ts`, '');
    recordVerify('1.1', { passed: true, tests: 3, failed: 0 }, ws, {});
    recordVerify('1.2', { passed: false, tests: 4, failed: 1 }, ws, {});
    const r = await capture(() => chaptersMain([], ws));
    assert.match(r.stdout, /✔ 1\.1\s+The first stage/);
    assert.match(r.stdout, /✘ 1\.2\s+The second stage\s+1 of 4 failed/);
    assert.match(r.stdout, /Next: .*verify 1\.2/);
  } finally {
    ws.remove();
  }
});

test.run();
