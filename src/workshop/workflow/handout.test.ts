// Tests of `npm run handout` and, through it, of `npm run grade`: a handout of chapter 3.3
// through 4.1 holds the reference stages 3.1 and 3.2 and no solution of 3.3 or later;
// it works on its own (outside the repository, with its own node_modules of links to
// this checkout's packages): it type-checks, `verify 3.3` fails on the untouched
// exercise and passes with the reference dropped in, and `grade --json` grades 3.3 and
// 4.1 (4.1 built on the learner's 3.3), exits 1 while 4.1 is a TODO, and saves the
// progress `npm run chapters` shows.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAPTERS, findChapter } from '../chapters.ts';
import { listFiles, REPO } from './common.ts';
import type { GradeReport } from './grade.ts';
import {
  chapterTestFor,
  DROPPED_SCRIPTS,
  filterRegistry,
  handoutExercise,
  keeps,
  main,
  planHandout,
  readHandoutManifest,
} from './handout.ts';
import { capture, plain } from './test-helpers.ts';

function runIn(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, FORCE_COLOR: '0', SUDO_UID: '', SUDO_GID: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: plain(stdout), stderr: plain(stderr) }));
  });
}

/** node_modules of links to this checkout's packages (its own .cache: bundles stay apart). */
function linkModules(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const e of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (e !== '.cache') fs.symlinkSync(path.join(REPO, 'node_modules', e), path.join(dir, 'node_modules', e));
  }
}

test('what a handout keeps: solutions below TAG, its chapters, no teacher’s notes, no tool tests', () => {
  const plan = planHandout('3.3', '4.1');
  assert.equal(
    plan.references.map((c) => c.tag),
    ['3.1', '3.2'],
  );
  assert.equal(
    plan.exercises.map((c) => c.tag),
    ['3.3', '4.1'],
  );
  assert.ok(keeps('solutions/3.2/run.ts', plan));
  assert.not.ok(keeps('solutions/3.3/run.ts', plan));
  assert.not.ok(keeps('solutions/4.2/main.ts', plan));
  assert.not.ok(keeps('exercises/3.1/main.ts', plan));
  assert.ok(keeps('chapters/4.1-pivot-root/rootfs.test.ts', plan));
  assert.not.ok(keeps('chapters/4.2-overlayfs/README.md', plan));
  assert.not.ok(keeps('docs/teaching.md', plan));
  assert.ok(keeps('docs/setup.md', plan));
  assert.not.ok(keeps('src/workshop/doctor.test.ts', plan));
  assert.ok(keeps('src/workshop/doctor.ts', plan));
  const spec = "const vol: typeof import('../../solutions/4.1/rootfs.ts') = x; import('../../solutions/3.2/cli.ts');";
  assert.is(
    chapterTestFor(spec, plan),
    "const vol: typeof import('../../exercises/4.1/rootfs.ts') = x; import('../../solutions/3.2/cli.ts');",
  );
  const registry = fs.readFileSync(path.join(REPO, 'src/workshop/chapters.ts'), 'utf8');
  const filtered = filterRegistry(registry, [...plan.references, ...plan.exercises]);
  assert.match(filtered, /tag: '4\.1'/);
  assert.not.match(filtered, /tag: '4\.2'/);
  assert.throws(
    () => filterRegistry(registry.replace("{ tag: '3.2',", "{\n    tag: '3.2',"), CHAPTERS.slice(0, 1)),
    /one "\{ tag: '…' … \}" line per chapter/,
  );
});

test('usage errors exit 125 before anything is written', async () => {
  for (const argv of [
    ['3.3'],
    ['9.9', '/tmp/x'],
    ['4.1', '/tmp/x', '--through', '3.3'],
    ['3.3', REPO],
    ['3.3', '/tmp/x', '--bogus'],
  ]) {
    const r = await capture(() => {
      try {
        main(argv);
        return 0;
      } catch (err) {
        return (err as { exitCode?: number }).exitCode;
      }
    });
    assert.is(r.value, 125, argv.join(' '));
  }
  assert.not.ok(fs.existsSync('/tmp/x'));
});

test('a handout of 3.3 through 4.1 works on its own: verify fails untouched, passes with the reference; grade grades it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-handout-'));
  try {
    const made = await capture(() => main(['3.3', dir, '--through', '4.1', '--classroom']));
    assert.is(made.value, 0);
    assert.match(made.stdout, /exercises 3\.3, 4\.1, reference stages 3\.1, 3\.2; no solution of 3\.3 or later/);

    const files = listFiles(dir);
    assert.equal(
      [...new Set(files.filter((f) => f.startsWith('solutions/')).map((f) => f.split('/')[1]))],
      ['3.1', '3.2'],
    );
    assert.equal(
      [...new Set(files.filter((f) => f.startsWith('exercises/')).map((f) => f.split('/')[1]))],
      ['3.3', '4.1'],
    );
    assert.equal(
      [...new Set(files.filter((f) => f.startsWith('chapters/')).map((f) => f.split('/')[1]))],
      ['3.1-namespaces', '3.2-cgroups', '3.3-pipe', '4.1-pivot-root'],
    );
    assert.not.ok(files.includes('docs/teaching.md'));
    assert.ok(files.includes('.github/workflows/classroom.yml'));
    assert.ok(
      fs.statSync(path.join(dir, 'src/workshop/quickstart.sh')).mode & 0o100,
      'quickstart.sh is still executable',
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const s of DROPPED_SCRIPTS) assert.not.ok(s in pkg.scripts, `script ${s} is left in`);
    for (const s of ['verify', 'grade', 'lab', 'chapters', 'hint', 'typecheck'])
      assert.ok(s in pkg.scripts, `script ${s} is missing`);
    assert.equal(readHandoutManifest(dir)?.exercises, ['3.3', '4.1']);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    assert.match(readme, /^> \*\*Assignment: chapters 3\.3, 4\.1\.\*\*/m);
    assert.equal(
      [...readme.matchAll(/^\| \[([\d.]+)\]/gm)].map((m) => m[1]),
      ['3.1', '3.2', '3.3', '4.1'],
    );
    assert.not.match(readme, /teaching\.md|npm run handout/);
    // No file reaches back into this checkout, and no reference code of 3.3 is in it.
    const sol33 = fs.readFileSync(path.join(REPO, 'solutions/3.3/run.ts'), 'utf8');
    const region = /\/\/ exercise: .*\n([\s\S]*?)\/\/ end exercise/.exec(sol33)![1]!.trim();
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.not.ok(text.includes(REPO), `${f} names ${REPO}`);
      if (f.startsWith('exercises/')) assert.not.ok(text.includes(region), `${f} holds 3.3's reference code`);
    }
    // 4.1's exercise builds on the learner's 3.3 (there is no solution of it here).
    assert.match(fs.readFileSync(path.join(dir, 'exercises/4.1/run.ts'), 'utf8'), /from '\.\.\/3\.3\/run\.ts'/);

    linkModules(dir);
    const tsc = await runIn(dir, [path.join(dir, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
    assert.is(tsc.code, 0, tsc.stdout + tsc.stderr);
    const chapters = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/chapters.ts']);
    assert.not.match(chapters.stdout, /4\.2/);

    // Where the workshop would point at `npm run exercises`, the handout says what it has.
    const reference = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/verify.ts', '3.1']);
    assert.is(reference.code, 125);
    assert.match(
      reference.stderr,
      /chapter 3\.1 is a reference stage in this handout \(solutions\/3\.1\); the exercises here are 3\.3, 4\.1/,
    );
    const reset = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/reset.ts', '3.3']);
    assert.is(reset.code, 125);
    assert.match(
      reset.stderr,
      /no solutions\/3\.3 to regenerate exercises\/3\.3 from: `git checkout -- exercises\/3\.3`/,
    );

    const untouched = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/verify.ts', '3.3']);
    assert.is(untouched.code, 1, untouched.stdout + untouched.stderr);
    assert.match(untouched.stdout, /not implemented yet: .* \(exercises\/3\.3\//);

    const plan = planHandout('3.3', '4.1');
    for (const g of handoutExercise(findChapter('3.3')!, plan, undefined, true))
      fs.writeFileSync(path.join(dir, 'exercises/3.3', g.file), g.content);
    const done = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/verify.ts', '3.3']);
    assert.is(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /all \d+ tests pass on exercises\/3\.3/);

    const graded = await runIn(dir, [
      '--import',
      'tsx',
      'src/workshop/workflow/grade.ts',
      '--json',
      '--timeout',
      '120',
    ]);
    assert.is(graded.code, 1, graded.stdout + graded.stderr);
    const report = JSON.parse(graded.stdout) as GradeReport;
    assert.equal(
      report.chapters.map((c) => [c.tag, c.passed]),
      [
        ['3.3', true],
        ['4.1', false],
      ],
    );
    const [c33, c41] = report.chapters as [GradeReport['chapters'][0], GradeReport['chapters'][0]];
    assert.ok(c33.tests > 0 && c33.failed === 0 && c33.results.every((t) => t.ok));
    assert.ok(
      c41.failed > 0 && c41.results.some((t) => /not implemented yet/.test(t.reason ?? '')),
      JSON.stringify(c41.results),
    );
    assert.is(report.passed, false);
    assert.is(report.handout?.tag, '3.3');
    assert.match(report.kernel, /^\d+\.\d+/);
    assert.match(report.cgroup.version, /^v[12]$/);
    assert.match(graded.stderr, /^3\.3 +\d+\/\d+ +[\d.]+ s  ✔$/m);
    assert.match(graded.stderr, /^4\.1 +0\/\d+ +[\d.]+ s  ✘ /m);
    assert.match(graded.stderr, /1 of 2 chapters pass/);
    const listed = await runIn(dir, ['--import', 'tsx', 'src/workshop/workflow/chapters.ts']);
    assert.match(listed.stdout, /✔ 3\.3 /);
    assert.match(listed.stdout, /✘ 4\.1 /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
