// Chapter 3.1 unit tests: finding the command on PATH as execvp(3) does, imported from
// the stage under test. No root needed: plain files in a temporary folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO, stageFile, stageTag } from '../../src/testing/harness.ts';

// Later stages keep 3.1's exec.ts (their own exec.ts, from 5.4 on, is the exec command).
const file = stageTag('3.1') === '3.1' ? stageFile('3.1', 'exec.ts') : path.join(REPO, 'solutions/3.1/exec.ts');
const exec: typeof import('../../solutions/3.1/exec.ts') = await import(file);

let dir = '';
test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-lookpath-'));
  for (const d of ['a', 'b', 'c']) fs.mkdirSync(path.join(dir, d));
  fs.mkdirSync(path.join(dir, 'a/tool')); // a directory named like the command
  fs.writeFileSync(path.join(dir, 'b/tool'), 'not executable', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'c/tool'), '#!/bin/sh\n', { mode: 0o755 });
});
test.after.each(() => fs.rmSync(dir, { recursive: true, force: true }));

const searchPath = (...ds: string[]) => ds.map((d) => path.join(dir, d)).join(':');

/** The ExecError lookPath throws, or a failure if it returns. */
function lookPathError(name: string, p: string): { message: string; exitCode: number } {
  try {
    const found = exec.lookPath(name, p);
    assert.unreachable(`lookPath returned ${found}`);
  } catch (err) {
    if (!(err instanceof exec.ExecError)) throw err;
    return err;
  }
  throw new Error('unreachable');
}

test('a directory or a non-executable file on the way is passed over; the search goes on', () => {
  assert.is(exec.lookPath('tool', searchPath('a', 'b', 'c')), path.join(dir, 'c/tool'));
});

test('the first executable wins', () => {
  fs.writeFileSync(path.join(dir, 'b/other'), '', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'c/other'), '', { mode: 0o755 });
  assert.is(exec.lookPath('other', searchPath('b', 'c')), path.join(dir, 'b/other'));
});

test('only unusable entries: 126, naming the first; nothing at all: 127', () => {
  const unusable = lookPathError('tool', searchPath('a', 'b'));
  assert.is(unusable.exitCode, 126);
  assert.match(unusable.message, `${path.join(dir, 'a/tool')} is a directory or not executable`);
  const missing = lookPathError('nothing-here', searchPath('a', 'b', 'c'));
  assert.is(missing.exitCode, 127);
  assert.match(missing.message, /nothing-here: executable file not found in PATH/);
});

test('a name with a slash is used as it is', () => {
  assert.is(exec.lookPath(path.join(dir, 'b/tool')), path.join(dir, 'b/tool')); // execve will say EACCES
  assert.is(lookPathError(path.join(dir, 'a/tool'), '').exitCode, 126);
  assert.is(lookPathError(path.join(dir, 'nope/tool'), '').exitCode, 127);
});

test.run();
