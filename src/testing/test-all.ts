// `npm test`: every chapter's tests on its own stage and on the final stage (a later
// stage must never break an earlier lesson), the machinery's own unit tests, the load
// tests, the cgroup v2 tests in a VM (src/testing/vm/run.ts), and the exercise check. Prints one block per run and closes with
// "N test runs in Ss" and "N passed, N failed".
//
//   npm test                      everything (what CI runs)
//   npm test -- --full            chapter c's tests on every stage from c on, not only c
//                                 and the final one (about three times as long)
//   npm test -- 4.3               only chapter 4.3's tests (on 4.3 and the final stage;
//                                 with --full on every stage from 4.3 on)
//   npm test -- --stage 4.3       every chapter's tests that apply, on stage 4.3 only
//   npm test -- --unit            only the unit and reliability tests (src/**/*.test.ts)
//
// Why not every stage by default: each stage is a layer, so a stage in the middle runs
// the same files as the stages around it; the final stage imports every layer and
// catches a later chapter breaking an earlier lesson. The full matrix (120 runs for 15
// chapters) took 22 minutes on a 2-core machine; this one stays under 10.

import { spawn } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { CHAPTERS, chapterDir, chaptersFrom, type Chapter } from '../workshop/chapters.ts';
import { checkExercisesAsync } from '../workshop/workflow/check-exercises.ts';
import { REPO } from './harness.ts';
import { runVm } from './vm/run.ts';

const TSX = path.join(REPO, 'node_modules/tsx/dist/esm/index.mjs');
const UVU = path.join(REPO, 'node_modules/uvu/bin.js');

export interface Job {
  label: string;
  dir: string;
  pattern: string;
  env: NodeJS.ProcessEnv;
  /** uvu's --ignore: paths matching this are skipped */
  ignore?: string;
  /** Runs the job instead of uvu (the VM job). */
  run?: () => Promise<{ passed: number; failed: number; output: string }>;
}

/**
 * The chapter-test jobs: chapter c's tests on stage c and on the final stage present in
 * `base` (with `full`, on every stage from c on); with `stage`, on that stage only.
 */
export function chapterJobs(base: 'solutions' | 'exercises', only?: string, stage?: string, full = false): Job[] {
  const jobs: Job[] = [];
  const final = CHAPTERS.at(-1)!.tag;
  for (const c of CHAPTERS) {
    if (only && c.tag !== only) continue;
    for (const s of chaptersFrom(c.tag)) {
      if (stage ? s.tag !== stage : !full && s.tag !== c.tag && s.tag !== final) continue;
      const stageDir = path.join(REPO, base, s.tag);
      if (!fs.existsSync(path.join(stageDir, 'main.ts'))) continue;
      jobs.push(job(c, stageDir, `${c.tag} tests on ${base}/${s.tag}`));
    }
  }
  return jobs;
}

function job(c: Chapter, stageDir: string, label: string): Job {
  return { label, dir: chapterDir(c), pattern: '\\.test\\.ts$', env: { MYDOCKER_STAGE: stageDir } };
}

export function uvuArgs(j: Job): string[] {
  return ['--import', TSX, UVU, j.dir, j.pattern, ...(j.ignore ? ['--ignore', j.ignore] : [])];
}

function jobEnv(j: Job, quiet: boolean): NodeJS.ProcessEnv {
  return { ...process.env, ...j.env, FORCE_COLOR: quiet ? '0' : process.env.FORCE_COLOR };
}

/** Run one uvu job without blocking (jobs run side by side); the counts uvu printed. */
export function runJobAsync(j: Job, quiet = false): Promise<{ passed: number; failed: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, uvuArgs(j), { cwd: REPO, env: jobEnv(j, quiet) });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve(countResults(code, output)));
  });
}

export function countResults(
  status: number | null,
  output: string,
): { passed: number; failed: number; output: string } {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // A file that crashed before uvu counted anything is one failure, not zero tests.
  const failed = status === 0 ? total - passed : Math.max(total - passed, 1);
  return { passed, failed, output };
}

async function main(argv: string[]): Promise<number> {
  const unitOnly = argv.includes('--unit');
  const full = argv.includes('--full');
  const stageIdx = argv.indexOf('--stage');
  const stage = stageIdx >= 0 ? argv[stageIdx + 1] : undefined;
  const only = argv.find((a, i) => !a.startsWith('--') && (stageIdx < 0 || i !== stageIdx + 1));

  // Jobs run side by side (MYDOCKER_TEST_JOBS, default one per CPU): every test has its
  // own state root and cgroup prefix, so they cannot see each other's containers. The
  // longest job (the load tests: 200 runs in a row) starts first, so it does not end
  // alone at the tail of the run; the load it meets from the other jobs is part of its test.
  const jobs: Job[] = [];
  if (!only && !stage) {
    const final = path.join(REPO, 'solutions', CHAPTERS.at(-1)!.tag);
    jobs.push({
      label: `reliability under load on ${path.relative(REPO, final)}`,
      dir: 'src/testing/reliability',
      pattern: '\\.test\\.ts$',
      env: { MYDOCKER_STAGE: final },
    });
  }
  if (!unitOnly) jobs.push(...chapterJobs('solutions', only, stage, full));
  if (!only && !stage)
    jobs.push({ label: 'unit tests (src)', dir: 'src', pattern: '\\.test\\.ts$', env: {}, ignore: 'reliability' });
  // The cgroup v2 tests in a VM (src/testing/vm): a job of its own, second in line.
  if (!unitOnly && !only && !stage)
    jobs.splice(1, 0, {
      label: 'cgroup v2 tests in a VM (npm run test:vm)',
      dir: '',
      pattern: '',
      env: {},
      run: () => runVm(),
    });
  const width = Math.max(1, Number(process.env.MYDOCKER_TEST_JOBS) || os.cpus().length);

  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  const started = Date.now();
  const report = (j: Job, r: { passed: number; failed: number; output: string }) => {
    process.stdout.write(`\n=== ${j.label}\n${r.output}`);
    passed += r.passed;
    failed += r.failed;
    if (r.failed) failures.push(j.label);
  };
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let j = queue.shift(); j; j = queue.shift()) report(j, await (j.run ? j.run() : runJobAsync(j)));
    }),
  );
  if (!unitOnly && !only && !stage) {
    // The exercises: as generated, and every chapter's tests fail on the untouched one
    // with the NotImplemented message (so no chapter test is vacuous). One line per check.
    const ex = await checkExercisesAsync({ jobs: width });
    const lines = ex.report.split('\n');
    report(
      {
        label: 'exercises: as generated, and each chapter failing on its untouched exercise with NotImplemented',
        dir: '',
        pattern: '',
        env: {},
      },
      {
        passed: lines.filter((l) => l.startsWith('✔')).length,
        failed: lines.filter((l) => l.startsWith('✘')).length,
        output: ex.report + '\n',
      },
    );
  }
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    `\n${jobs.length} test runs in ${secs}s${failures.length ? `; failing: ${failures.join(', ')}` : ''}\n`,
  );
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && jobs.length > 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'src/testing/test-all.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
