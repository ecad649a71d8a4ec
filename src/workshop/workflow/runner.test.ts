// Tests of the tagged runner (src/workshop/runner.ts, started as npm does through
// runner.mjs, without tsx): the checks before a stage runs, the stage's bundle rebuilt
// after an edit, compile errors as one line, and real runs — the stage re-executes itself as the container's init, and
// a TODO hit inside that init is reported as one line naming the step and file:line.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dropTsxLoader, prepare } from '../runner.ts';
import { REPO } from './common.ts';
import { writeStageCopy } from './generate.ts';
import { repoTemp } from './test-helpers.ts';

function runner(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['src/workshop/runner.mjs', ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      MYDOCKER_CGROUP_PREFIX: `mydocker-runner-test-${process.pid}`,
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('an unknown or missing tag lists the chapters', () => {
  const unknown = prepare(['solutions', '9.9', 'run', 'sh'], 0);
  assert.ok('error' in unknown);
  assert.match((unknown as { error: string }).error, /^unknown chapter "9\.9": the chapters are 3\.1, 3\.2/);
  const missing = prepare(['exercises'], 0) as { error: string };
  assert.match(missing.error, /which chapter\? npm run lab <tag>/);
});

test('not root: one line with why, and the sudo command to run', () => {
  const r = prepare(['exercises', '3.1', 'run', 'sh', '-c', 'echo $$'], 1000) as { error: string };
  assert.match(r.error, /must run as root: .*CAP_SYS_ADMIN/);
  assert.ok(r.error.endsWith(`Run: sudo -E npm run lab 3.1 -- run sh -c 'echo $$'`), r.error);
  assert.not.ok('error' in prepare(['solutions', '3.1', '--help'], 1000), 'help needs no root');
  const ok = prepare(['solutions', '3.1', 'run', 'true'], 0) as { main: string; args: string[] };
  assert.is(ok.main, path.join(REPO, 'solutions/3.1/main.ts'));
  assert.equal(ok.args, ['run', 'true']);
});

test('the bundle runs without the TypeScript loader', () => {
  assert.equal(dropTsxLoader(['--import', 'tsx', '--enable-source-maps', '--import=tsx', '--loader', 'tsx/esm']), [
    '--enable-source-maps',
  ]);
  assert.equal(dropTsxLoader(['--import', './other.mjs']), ['--import', './other.mjs']);
});

test("the learner's last edit is what runs; a compile error is one line, exit 125", () => {
  const tmp = repoTemp();
  try {
    const stage = writeStageCopy('3.1', path.join(tmp.dir, '3.1'), { fill: () => true });
    const base = path.relative(REPO, tmp.dir);
    const main = path.join(stage, 'main.ts');
    // Written a minute ago, so the first run's bundle is recorded as fresh (and reused).
    const ago = new Date(Date.now() - 60_000);
    for (const f of fs.readdirSync(stage)) fs.utimesSync(path.join(stage, f), ago, ago);
    const first = runner([base, '3.1', '--help']);
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /Usage: mydocker/);
    const bundle = path.join(REPO, 'node_modules/.cache/mydocker', base, '3.1/bundle.cjs');
    assert.match(fs.readFileSync(bundle, 'utf8'), /\n\/\/# mydocker-inputs=.*main\.ts/, 'recorded as fresh');
    fs.appendFileSync(main, "console.error('edited once');\n");
    assert.match(runner([base, '3.1', '--help']).stderr, /^edited once\n/);
    fs.appendFileSync(main, 'const broken: number = ;\n');
    const r = runner([base, '3.1', '--help']);
    assert.is(r.code, 125);
    assert.is(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(`^mydocker: error: ${base}/3\\.1 does not compile: .*main\\.ts:\\d+:\\d+: [^\\n]*\n$`),
    );
  } finally {
    tmp.remove();
  }
});

test('chapter 3.1: the command is PID 1 (the stage re-executed itself as init)', () => {
  if (process.getuid?.() !== 0) assert.unreachable('needs root: containers need CAP_SYS_ADMIN');
  const r = runner(['solutions', '3.1', 'run', 'sh', '-c', 'echo $$']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1\n');
});

test('MYDOCKER_NO_BUNDLE=1: the sources run through tsx, in the runtime and in init', () => {
  if (process.getuid?.() !== 0) assert.unreachable('needs root: containers need CAP_SYS_ADMIN');
  const r = runner(['solutions', '3.1', 'run', 'sh', '-c', 'echo $$'], { MYDOCKER_NO_BUNDLE: '1' });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1\n');
});

test("a TODO in the container's init: one line with the step and file:line, exit 125", () => {
  if (process.getuid?.() !== 0) assert.unreachable('needs root: containers need CAP_SYS_ADMIN');
  const tmp = repoTemp();
  try {
    // The parent's side filled in; init's mount steps still TODOs.
    writeStageCopy('3.1', path.join(tmp.dir, '3.1'), { fill: (_step, file) => file !== 'init.ts' });
    const r = runner([path.relative(REPO, tmp.dir), '3.1', 'run', 'sh', '-c', 'echo $$']);
    assert.is(r.code, 125, r.stderr);
    assert.is(r.stdout, '');
    const where = `${path.relative(REPO, tmp.dir)}/3.1/init.ts:`;
    assert.match(
      r.stderr,
      new RegExp(
        `^mydocker: error: NotImplemented: chapter 3\\.1, step "enter the new namespaces" is still a TODO \\(${where.replace(/\./g, '\\.')}\\d+\\)\n$`,
      ),
    );
  } finally {
    tmp.remove();
  }
});

test('the untouched exercise: the first TODO on the parent side, no stack trace', () => {
  if (process.getuid?.() !== 0) assert.unreachable('needs root: containers need CAP_SYS_ADMIN');
  const tmp = repoTemp();
  try {
    writeStageCopy('3.1', path.join(tmp.dir, '3.1'));
    const r = runner([path.relative(REPO, tmp.dir), '3.1', 'run', 'true']);
    assert.is(r.code, 125);
    assert.match(r.stderr, /NotImplemented: chapter 3\.1, step "start the child in a new PID namespace/);
    assert.not.match(r.stderr, /\n\s+at /, 'printed a stack trace');
  } finally {
    tmp.remove();
  }
});

test.run();
