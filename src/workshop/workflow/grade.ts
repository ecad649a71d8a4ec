// `npm run grade [-- TAG...]`: every chapter's tests on the learner's exercises, one
// chapter after the other, as a table (chapter, tests passed/total, time) and with
// `--json` as a report a teacher collects or an autograder reads. Machinery for
// classroom labs (docs/teaching.md). Each chapter runs exactly as `npm run verify` runs
// it (verify.ts's runTests and uvu-report.ts: one way to run a chapter's tests and read
// each test's outcome), with a per-test timeout on top of the harness's own, and its
// result is saved as verify saves it, so `npm run chapters` shows it.
//
//   sudo -E npm run grade                     every chapter that has an exercise
//   sudo -E npm run grade -- 3.1 3.2          these chapters
//   sudo -E npm run --silent grade -- --json > grade.json
//                                             the report on stdout (the table goes to stderr)
//   ... -- --timeout 120                      seconds a test may take (default 180)
//   ... -- --solutions                        the reference stages instead (is the machine
//                                             fit for the class?); no progress is saved
//
// The exit code is 0 only when every chapter asked for passes, 1 otherwise, 125 for a
// usage error.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import { isRoot, notRootMessage } from '../../runtime/errors.ts';
import { checkCgroupVersion } from '../doctor.ts';
import type { Chapter } from '../chapters.ts';
import { chapterOf, isMain, rel, runScript, USAGE, WORKSPACE, WorkflowError, type Workspace } from './common.ts';
import { readHandoutManifest, type HandoutManifest } from './handout-manifest.ts';
import { recordVerify } from './progress.ts';
import { reasonOf, runPassed, runTests, type TestRun } from './verify.ts';

export const DEFAULT_TEST_TIMEOUT_S = 180;

export interface TestResult {
  file: string;
  suite: string;
  name: string;
  ok: boolean;
  /** Why it failed, as verify says it. */
  reason?: string;
}

export interface ChapterResult {
  tag: string;
  title: string;
  /** The stage the tests ran on, relative to the repository: exercises/3.1 */
  stage: string;
  passed: boolean;
  /** Tests that ended (passed or failed). */
  tests: number;
  failed: number;
  seconds: number;
  /** Why the run ended early, when it did (a timeout, a crash of the test process). */
  unfinished?: string;
  results: TestResult[];
  /** The exact command, to run by hand. */
  command: string;
}

export interface GradeReport {
  version: 1;
  at: string;
  stages: 'exercises' | 'solutions';
  passed: boolean;
  machine: { hostname: string; os: string; arch: string; cpus: number; node: string };
  kernel: string;
  cgroup: { version: string; label: string };
  git: { commit: string; dirty: boolean } | null;
  /** In a handout (npm run handout): what it was made from. */
  handout?: HandoutManifest;
  testTimeoutSeconds: number;
  chapters: ChapterResult[];
}

/** One chapter's run, as the report tells it. */
export function chapterResult(c: Chapter, stage: string, run: TestRun, seconds: number): ChapterResult {
  const results = run.outcomes.map((o) => ({
    file: o.file,
    suite: o.suite,
    name: o.name,
    ok: o.ok,
    ...(o.ok ? {} : { reason: reasonOf(o.error) }),
  }));
  const complete = run.status === 0 || (run.total !== undefined && run.total === run.outcomes.length);
  let unfinished: string | undefined;
  if (run.timedOut)
    unfinished = `no test ended within ${run.timedOut / 1000} s after "${run.outcomes.at(-1)?.name ?? 'the start'}": stopped`;
  else if (!complete) unfinished = `the test process ended early (uvu exit status ${run.status})`;
  return {
    tag: c.tag,
    title: c.title,
    stage,
    passed: runPassed(run),
    tests: results.length,
    failed: results.filter((r) => !r.ok).length,
    seconds: Math.round(seconds * 10) / 10,
    ...(unfinished ? { unfinished } : {}),
    results,
    command: run.command,
  };
}

/** The table row of a chapter: 3.1   12/12   8.1 s  ✔ */
export function tableRow(r: ChapterResult): string {
  const mark = r.passed ? chalk.green('✔') : chalk.red('✘');
  const count = `${r.tests - r.failed}/${r.tests}`;
  const note = r.unfinished ?? (r.passed ? '' : firstFailure(r));
  return `${r.tag.padEnd(7)} ${count.padStart(7)}  ${`${r.seconds.toFixed(1)} s`.padStart(8)}  ${mark}${note ? ` ${chalk.dim(note)}` : ''}`;
}

function firstFailure(r: ChapterResult): string {
  const f = r.results.find((t) => !t.ok);
  if (!f) return 'no test ran';
  return `${f.name}: ${(f.reason ?? 'failed').split('\n')[0]}`;
}

export const TABLE_HEAD = `${'chapter'.padEnd(7)} ${'passed'.padStart(7)}  ${'time'.padStart(8)}`;

function gitState(root: string): GradeReport['git'] {
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--verify', 'HEAD');
  if (head.status !== 0) return null;
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?(.*?)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** What the report says about the machine it ran on. */
export function machineFacts(
  ws: Workspace,
): Omit<GradeReport, 'version' | 'at' | 'stages' | 'passed' | 'testTimeoutSeconds' | 'chapters'> {
  const cg = checkCgroupVersion();
  const handout = readHandoutManifest(ws.root);
  return {
    machine: {
      hostname: os.hostname(),
      os: osName(),
      arch: process.arch,
      cpus: os.cpus().length,
      node: process.versions.node,
    },
    kernel: os.release(),
    cgroup: { version: cg.value ?? 'none', label: cg.label },
    git: gitState(ws.root),
    ...(handout ? { handout } : {}),
  };
}

const HELP = `usage: sudo -E npm run grade [-- TAG... ] [--json] [--timeout SECONDS] [--solutions]
  runs each chapter's tests on exercises/<tag> (every chapter that has one, or the TAGs),
  one chapter after the other, and prints chapter, tests passed/total and time.
  --json       print the report as JSON on stdout (the table goes to stderr)
  --timeout S  stop a chapter's run when no test ends within S seconds (default ${DEFAULT_TEST_TIMEOUT_S})
  --solutions  run on solutions/<tag> (the reference) instead: checks the machine; saves no progress
  exit 0 when every chapter asked for passes, else 1.
`;

interface GradeArgs {
  tags: string[];
  json: boolean;
  solutions: boolean;
  timeoutS: number;
}

function parse(argv: string[]): GradeArgs | 'help' {
  const out: GradeArgs = { tags: [], json: false, solutions: false, timeoutS: DEFAULT_TEST_TIMEOUT_S };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--json') out.json = true;
    else if (a === '--solutions') out.solutions = true;
    else if (a === '--timeout') {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0)
        throw new WorkflowError(`--timeout needs a number of seconds, got ${argv[i] ?? 'nothing'}`, USAGE);
      out.timeoutS = v;
    } else if (a.startsWith('-'))
      throw new WorkflowError(`npm run grade: unknown option ${a} (options: --json, --timeout S, --solutions)`, USAGE);
    else out.tags.push(a);
  }
  // npm turns `npm run grade --json` (without `--`) into npm_config_json=true.
  if (process.env.npm_config_json === 'true') out.json = true;
  if (process.env.npm_config_solutions === 'true') out.solutions = true;
  return out;
}

export async function main(argv: string[], ws: Workspace = WORKSPACE): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const base = args.solutions ? 'solutions' : 'exercises';
  const stageOf = (c: Chapter) => path.join(ws.root, base, c.tag);
  const has = (c: Chapter) => fs.existsSync(path.join(stageOf(c), 'main.ts'));
  const chapters = args.tags.length ? args.tags.map((t) => chapterOf(t, 'grade', ws)) : ws.chapters.filter(has);
  for (const c of chapters)
    if (!has(c))
      throw new WorkflowError(`${base}/${c.tag} does not exist here, so chapter ${c.tag} cannot be graded`, USAGE);
  if (chapters.length === 0) throw new WorkflowError(`no chapter has a stage under ${base}/ here`, USAGE);
  if (!isRoot()) {
    const line = ['sudo -E npm run grade', ...(argv.length ? ['--', ...argv] : [])].join(' ');
    throw new WorkflowError(`the chapters' tests start real containers: ${notRootMessage(line)}`, USAGE);
  }

  const out = args.json ? process.stderr : process.stdout;
  out.write(
    `${chalk.bold(`Grading ${chapters.map((c) => c.tag).join(', ')}`)} ${chalk.dim(`on ${base}/, one chapter after the other`)}\n\n${TABLE_HEAD}\n`,
  );
  const results: ChapterResult[] = [];
  const started = Date.now();
  // Ctrl-C reaches the chapter's test process, which cleans up and ends; then stop here
  // too instead of going on with the next chapter.
  let interrupted = false;
  const interrupt = () => (interrupted = true);
  process.on('SIGINT', interrupt);
  for (const c of chapters) {
    if (interrupted) break;
    const t0 = Date.now();
    const run = await runTests([c], stageOf(c), () => {}, ws, { testTimeoutMs: args.timeoutS * 1000 });
    const r = chapterResult(c, rel(stageOf(c), ws), run, (Date.now() - t0) / 1000);
    results.push(r);
    out.write(`${tableRow(r)}\n`);
    // The same record verify keeps: `npm run chapters` shows it, `npm run reset` clears it.
    if (!args.solutions) recordVerify(c.tag, { passed: r.passed, tests: r.tests, failed: r.failed }, ws);
  }
  process.off('SIGINT', interrupt);
  if (interrupted) {
    out.write(
      `\n${chalk.red('Interrupted')}: ${results.length} of ${chapters.length} chapters ran; nothing more is graded.\n`,
    );
    return 130;
  }
  const passed = results.every((r) => r.passed);
  const ok = results.filter((r) => r.passed).length;
  out.write(
    `\n${passed ? chalk.green('✔') : chalk.red('✘')} ${ok} of ${results.length} chapters pass (${((Date.now() - started) / 1000).toFixed(0)} s).` +
      `${passed ? '' : ' `sudo -E npm run verify <tag>` shows each test of a chapter.'}\n`,
  );
  if (args.json) {
    const report: GradeReport = {
      version: 1,
      at: new Date(started).toISOString(),
      stages: base,
      passed,
      ...machineFacts(ws),
      testTimeoutSeconds: args.timeoutS,
      chapters: results,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  }
  return passed ? 0 : 1;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
