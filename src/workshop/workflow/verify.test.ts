// Tests of `npm run verify` and its uvu reporter: every test's outcome is reported, a
// NotImplemented failure is told as "not implemented yet: <step> (<file:line>)", and on
// chapter 3.1 the untouched exercise fails (exit 1) while the exercise with every region
// filled in from the solution passes (exit 0). The stages are temporary copies inside
// the repository: the real exercises/ is never touched, and no progress is recorded.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO } from './common.ts';
import { writeStageCopy } from './generate.ts';
import { readProgress } from './progress.ts';
import { plain, repoTemp } from './test-helpers.ts';
import { notImplementedIn, reasonOf } from './verify.ts';

function runNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: plain(stdout), stderr: plain(stderr) }));
  });
}

test('the reporter sends each test’s outcome, with what was thrown, to fd 3', () => {
  const tmp = repoTemp();
  try {
    fs.writeFileSync(
      path.join(tmp.dir, 'sample.test.ts'),
      `import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
test('passes', () => {});
test('compares', () => assert.is(1 + 1, 3));
test('hits a TODO', async () => { throw new Error('NotImplemented: chapter 9.9, step "do it" is still a TODO (exercises/9.9/x.ts:7)'); });
test.run();
const s = suite('a suite');
s('inside', () => {});
s.run();
`,
    );
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './src/workshop/workflow/uvu-report.ts',
        'node_modules/uvu/bin.js',
        path.relative(REPO, tmp.dir),
        '\\.test\\.ts$',
      ],
      {
        cwd: REPO,
        env: { ...process.env, MYDOCKER_TEST_REPORT_FD: '3' },
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        encoding: 'utf8',
      },
    );
    assert.is(r.status, 1, 'uvu itself still fails the run');
    assert.match(plain(r.stdout), /Total:\s+4/, 'uvu itself still counts');
    const all = String(r.output[3])
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Each test says it started before it says how it ended (so an interrupted run can name it).
    assert.equal(
      all.filter((e) => e.event === 'start').map((e) => e.name),
      ['passes', 'compares', 'hits a TODO', 'inside'],
    );
    const events = all.filter((e) => e.event !== 'start');
    assert.equal(
      events.map((e) => [e.event, e.suite, e.name, e.file]),
      [
        ['pass', '', 'passes', 'sample.test.ts'],
        ['fail', '', 'compares', 'sample.test.ts'],
        ['fail', '', 'hits a TODO', 'sample.test.ts'],
        ['pass', 'a suite', 'inside', 'sample.test.ts'],
      ],
    );
    assert.equal([events[1].error.operator, events[1].error.actual, events[1].error.expects], ['is', '2', '3']);
    assert.equal(notImplementedIn(events[2].error), { chapter: '9.9', step: 'do it', where: 'exercises/9.9/x.ts:7' });
    assert.is(reasonOf(events[1].error), 'expected 3, got 2');
    assert.is(reasonOf(events[2].error), 'not implemented yet: do it (exercises/9.9/x.ts:7)');
  } finally {
    tmp.remove();
  }
});

test('a NotImplemented message inside the value an assertion compared is found too', () => {
  const stderr =
    'mydocker: error: NotImplemented: chapter 3.1, step "enter the new namespaces" is still a TODO (exercises/3.1/init.ts:24)\n';
  const e = {
    name: 'Assertion',
    message: 'Expected value to match `/x/` pattern',
    operator: 'match',
    generated: true,
    actual: JSON.stringify(stderr),
  };
  assert.is(reasonOf(e), 'not implemented yet: enter the new namespaces (exercises/3.1/init.ts:24)');
  assert.is(
    reasonOf({
      name: 'Assertion',
      message: 'mydocker: error: boom',
      operator: 'is',
      generated: false,
      actual: '125',
      expects: '0',
    }),
    'mydocker: error: boom (expected 0, got 125)',
  );
  assert.is(
    reasonOf({ name: 'Error', message: 'timed out waiting for output' }),
    'Error: timed out waiting for output',
  );
  // A pattern that did not match shows the pattern and the text it was tried on (a CLI's stderr).
  const said = JSON.stringify('mydocker: error: rm: no container given\n');
  assert.is(
    reasonOf({
      name: 'Assertion',
      message: 'Expected value to match `/usage: rm/` pattern',
      operator: 'match',
      generated: true,
      actual: said,
      expects: '/usage: rm/',
    }),
    `expected a match for /usage: rm/, got ${said}`,
  );
});

test('verify 3.1: exit 1 with NotImplemented lines on the exercise, exit 0 with the regions filled in', async () => {
  const tmp = repoTemp();
  const progressBefore = JSON.stringify(readProgress());
  try {
    const todo = writeStageCopy('3.1', path.join(tmp.dir, 'todo', '3.1'));
    const done = writeStageCopy('3.1', path.join(tmp.dir, 'done', '3.1'), { fill: () => true });
    const [a, b] = await Promise.all([
      runNode(['src/workshop/workflow/verify.ts', '3.1', '--stage', path.relative(REPO, todo)]),
      runNode(['src/workshop/workflow/verify.ts', '3.1', '--stage', path.relative(REPO, done)]),
    ]);

    assert.is(a.code, 1, a.stdout + a.stderr);
    const todoRel = path.relative(REPO, todo);
    assert.ok(
      a.stdout.startsWith(
        `$ MYDOCKER_STAGE=${todoRel} MYDOCKER_TEST_REPORT_FD=3 node --import tsx --import ./src/workshop/workflow/uvu-report.ts node_modules/uvu/bin.js chapters/3.1-namespaces`,
      ),
      a.stdout,
    );
    const step = 'start the child in a new PID namespace and put the parent back in its own';
    const line =
      fs
        .readFileSync(path.join(todo, 'namespaces.ts'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes(`TODO(3.1): ${step}`)) + 1;
    assert.match(
      a.stdout,
      `✘ the command runs as PID 1\n      not implemented yet: ${step} (${todoRel}/namespaces.ts:${line})`,
    );
    assert.match(a.stdout, /✔ usage errors exit 125 before anything runs/);
    assert.match(a.stdout, `Stuck on "${step}"? \`npm run hint 3.1 -- 1\``);

    assert.is(b.code, 0, b.stdout + b.stderr);
    assert.match(b.stdout, /✔ the command runs as PID 1/);
    assert.not.match(b.stdout, /✘/);
    assert.match(b.stdout, /all \d+ tests pass/);
    assert.is(JSON.stringify(readProgress()), progressBefore, 'a run on another copy recorded progress');
  } finally {
    tmp.remove();
  }
});

test('usage errors exit 125 with one line', async () => {
  const r = await runNode(['src/workshop/workflow/verify.ts', '9.9']);
  assert.is(r.code, 125);
  assert.match(r.stderr, /^error: unknown chapter "9\.9": the chapters are 3\.1, /);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  const none = await runNode(['src/workshop/workflow/verify.ts', '3.1', '--stage', 'tmp/no-such-stage']);
  assert.is(none.code, 125);
  assert.match(none.stderr, /tmp\/no-such-stage has no main\.ts/);
});

test.run();
