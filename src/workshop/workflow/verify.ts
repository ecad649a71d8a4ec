// `npm run verify <tag> [--previous]`: a chapter's tests on the learner's exercise, with a
// clear ✔/✘ per test. Machinery. It runs uvu on chapters/<tag>-<slug>/ with
// MYDOCKER_STAGE=exercises/<tag> (the harness then starts that stage's CLI), prints the
// exact command so it can be run by hand, and reads each test's outcome from the
// reporter in uvu-report.ts. A test that hit a TODO says which step and where. The
// result is saved in .mydocker-progress.json for `npm run chapters`. No test waits longer
// than its timeout (a hung CLI is killed with all it started, src/testing/contain.ts), and
// Ctrl-C ends the run cleanly, naming the test that was running.
//
//   sudo -E npm run verify 3.2                   chapter 3.2's tests on exercises/3.2
//   sudo -E npm run verify 3.2 -- --previous     and those of 3.1, on the same stage (exercises/3.2,
//                                                which builds on the reference 3.1, not on exercises/3.1)
//   sudo -E npm run verify 3.2 -- --verbose      also uvu's own output
//   ... -- --stage <dir>                         another copy of the stage (no progress saved)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { isRoot, notRootMessage } from '../../runtime/errors.ts';
import { chapterDir, type Chapter } from '../chapters.ts';
import {
  chapterOf,
  earlierChapters,
  isMain,
  parseArgs,
  rel,
  runScript,
  USAGE,
  WORKSPACE,
  WorkflowError,
  type Workspace,
} from './common.ts';
import { handoutNoExercise } from './handout-manifest.ts';
import { hintFor } from './hint.ts';
import { recordVerify } from './progress.ts';
import type { ErrorInfo } from './uvu-report.ts';

export interface Outcome {
  /** The test file, relative to the folder uvu ran on. */
  file: string;
  suite: string;
  name: string;
  ok: boolean;
  error?: ErrorInfo;
}

export interface TestRun {
  /** The command, as it can be pasted into a shell. */
  command: string;
  outcomes: Outcome[];
  /** uvu's exit status (null if it was killed). */
  status: number | null;
  /** Everything uvu printed (stdout and stderr). */
  output: string;
  /** Tests uvu counted (its "Total:" line), when it got that far. */
  total?: number;
  /** The test that had started but not ended when the run stopped (killed, interrupted). */
  running?: { file: string; name: string };
  /** Set when the run was stopped because no test ended within this many ms (RunOptions). */
  timedOut?: number;
}

export interface RunOptions {
  /**
   * Stop the run when no test has ended for this long (ms): SIGINT to the test process,
   * which the harness answers by removing what its running test started, and SIGKILL
   * 10 s later. A backstop behind the harness's own timeout on every CLI it starts.
   */
  testTimeoutMs?: number;
}

export interface TestCommand {
  argv: string[];
  env: Record<string, string>;
  display: string;
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The uvu command that runs these chapters' tests on `stage` (absolute), with the reporter on fd 3. */
export function testCommand(chapters: Chapter[], stage: string, ws: Workspace = WORKSPACE): TestCommand {
  const [dir, pattern] =
    chapters.length === 1
      ? [chapterDir(chapters[0]!), '\\.test\\.ts$']
      : ['chapters', `^(${chapters.map((c) => `${c.tag}-${c.slug}`.replace(/\./g, '\\.')).join('|')})/.*\\.test\\.ts$`];
  const argv = [
    '--import',
    'tsx',
    '--import',
    './src/workshop/workflow/uvu-report.ts',
    'node_modules/uvu/bin.js',
    dir,
    pattern,
  ];
  const env = { MYDOCKER_STAGE: rel(stage, ws), MYDOCKER_TEST_REPORT_FD: '3' };
  const display = [
    ...Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`),
    'node',
    ...argv.map(shellQuote),
  ].join(' ');
  return { argv, env, display };
}

const ANSI = new RegExp(String.raw`\x1b\[[0-9;]*m`, 'g');
export const plain = (s: string): string => s.replace(ANSI, '');

/** The tests started last without an outcome yet, by parseReport (one per run). */
type Started = { current?: { file: string; name: string } };

function parseReport(text: string, started: Started = {}): Outcome[] {
  const out: Outcome[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { event: string; file: string; suite: string; name: string; error?: ErrorInfo };
      if (r.event === 'start') {
        started.current = { file: r.file, name: r.name };
        continue;
      }
      started.current = undefined;
      out.push({ file: r.file, suite: r.suite, name: r.name, ok: r.event === 'pass', error: r.error });
    } catch {
      // a torn line from a test process that was killed: nothing to report for it
    }
  }
  return out;
}

/**
 * uvu also fails a test whose after-each hook throws, after the test itself passed: take
 * its FAIL blocks ("FAIL  "name"" then the message) as the last word.
 */
function reconcile(outcomes: Outcome[], output: string): Outcome[] {
  const lines = plain(output).split('\n');
  const failed = new Map<string, string>();
  lines.forEach((l, i) => {
    const m = /^\s*FAIL\s+(?:.*?\s)?"(.*)"\s*$/.exec(l);
    if (m) failed.set(m[1]!, (lines[i + 1] ?? '').trim());
  });
  return outcomes.map((o) =>
    o.ok && failed.has(o.name)
      ? {
          ...o,
          ok: false,
          error: { name: 'Error', message: `passed, but a hook after it failed: ${failed.get(o.name)}` },
        }
      : o,
  );
}

function finish(
  outcomes: Outcome[],
  output: string,
  status: number | null,
  command: string,
  started: Started = {},
): TestRun {
  const total = /Total:\s+(\d+)/.exec(plain(output))?.[1];
  return {
    command,
    outcomes: reconcile(outcomes, output),
    status,
    output,
    total: total === undefined ? undefined : Number(total),
    running: started.current,
  };
}

/** Run the tests and wait (used by the CI check, which has nothing to show meanwhile). */
export function runTestsSync(chapters: Chapter[], stage: string, ws: Workspace = WORKSPACE): TestRun {
  const cmd = testCommand(chapters, stage, ws);
  const r = spawnSync(process.execPath, cmd.argv, {
    cwd: ws.root,
    env: { ...process.env, ...cmd.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = (r.stdout ?? '') + (r.stderr ?? '');
  const started: Started = {};
  return finish(parseReport(String(r.output?.[3] ?? ''), started), output, r.status, cmd.display, started);
}

/** Run the tests, calling `onOutcome` as each test ends. */
export function runTests(
  chapters: Chapter[],
  stage: string,
  onOutcome: (o: Outcome) => void,
  ws: Workspace = WORKSPACE,
  opts: RunOptions = {},
): Promise<TestRun> {
  const cmd = testCommand(chapters, stage, ws);
  const child = spawn(process.execPath, cmd.argv, {
    cwd: ws.root,
    // A CLI that hangs is killed after 30 s instead of 60 (src/testing/harness.ts); the
    // command shown keeps the default, which only makes a hang take longer.
    env: { MYDOCKER_TEST_TIMEOUT_MS: '30000', ...process.env, ...cmd.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let report = '';
  const outcomes: Outcome[] = [];
  const started: Started = {};
  const watchdog = testWatchdog(child, opts.testTimeoutMs);
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => {
    report += d;
    const nl = report.lastIndexOf('\n');
    if (nl < 0) return;
    for (const o of parseReport(report.slice(0, nl), started)) {
      watchdog.rearm();
      outcomes.push(o);
      onOutcome(o);
    }
    report = report.slice(nl + 1);
  });
  // Ctrl-C reaches the test process too (same process group): it kills what its running
  // test started, removes its state root and says so (src/testing/contain.ts); wait for it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise((resolve, reject) => {
    let done = false;
    const end = (status: number | null) => {
      if (done) return;
      done = true;
      process.off('SIGINT', ignore);
      watchdog.stop();
      resolve({ ...finish(outcomes, output, status, cmd.display, started), timedOut: watchdog.expired() });
    };
    child.once('error', reject);
    // Not only 'close': a process that outlived the test process may still hold its pipes.
    child.once('exit', (status) =>
      setTimeout(() => {
        for (const s of child.stdio) s?.destroy();
        end(status);
      }, 3000).unref(),
    );
    child.once('close', (status) => end(status));
  });
}

/**
 * The per-test timeout of runTests: a timer restarted whenever a test ends. When it
 * fires, the test process gets SIGINT, then SIGKILL; if something it started still
 * holds its output open after that, the pipes are closed so the run ends anyway.
 */
function testWatchdog(
  child: ChildProcess,
  ms: number | undefined,
): { rearm(): void; stop(): void; expired(): number | undefined } {
  let timer: NodeJS.Timeout | undefined;
  const later: NodeJS.Timeout[] = [];
  let fired = false;
  const rearm = () => {
    if (!ms || fired) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      child.kill('SIGINT');
      later.push(
        setTimeout(() => {
          child.kill('SIGKILL');
          later.push(setTimeout(() => child.stdio.forEach((s) => s?.destroy()), 3000));
        }, 10_000),
      );
    }, ms);
  };
  rearm();
  return {
    rearm,
    stop: () => [timer, ...later].forEach((t) => clearTimeout(t)),
    expired: () => (fired ? ms : undefined),
  };
}

/** Whether a run is a pass: it finished, every test passed, and there was at least one. */
export function runPassed(run: TestRun): boolean {
  const complete = run.status === 0 || (run.total !== undefined && run.total === run.outcomes.length);
  return run.status === 0 && complete && run.outcomes.every((o) => o.ok) && run.outcomes.length > 0 && !run.timedOut;
}

// ---- explaining a failure ----

export interface NotImplementedHit {
  chapter: string;
  step: string;
  where: string;
}

const NI = /NotImplemented: chapter (\S+), step "(.*?)" is still a TODO \(([^()\s]+)\)/;

/** The TODO a failed test ran into, if its error says so anywhere (message, actual value, details). */
export function notImplementedIn(e: ErrorInfo | undefined): NotImplementedHit | undefined {
  if (!e) return undefined;
  const text = plain(
    [e.message, e.details, e.actual && tryString(e.actual), e.expects && tryString(e.expects)]
      .filter(Boolean)
      .join('\n'),
  );
  const m = NI.exec(text);
  return m ? { chapter: m[1]!, step: m[2]!, where: m[3]! } : undefined;
}

function tryString(json: string): string {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'string' ? v : json;
  } catch {
    return json;
  }
}

function short(json: string | undefined): string {
  const s = json === undefined ? 'undefined' : json;
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** A longer excerpt, for the text a pattern was matched against (often a CLI's stderr). */
function long(json: string | undefined): string {
  const s = json === undefined ? 'undefined' : json;
  return s.length > 400 ? `${s.slice(0, 397)}…` : s;
}

/** One or a few lines saying why a test failed. */
export function reasonOf(e: ErrorInfo | undefined): string {
  if (!e) return 'failed';
  const hit = notImplementedIn(e);
  if (hit) return `not implemented yet: ${hit.step} (${hit.where})`;
  const msg = plain(e.message).trim();
  const lines = msg.split('\n').filter((l) => l.trim());
  const head = lines.slice(0, 3).join('\n') + (lines.length > 3 ? ' …' : '');
  if (e.name !== 'Assertion') return `${e.name}: ${head}`;
  const values =
    e.operator === 'is' || e.operator === 'equal'
      ? `expected ${short(e.expects)}, got ${short(e.actual)}`
      : e.operator === 'match'
        ? `expected a match for ${e.expects}, got ${long(e.actual)}`
        : e.operator === 'not.match'
          ? `expected no match for ${e.expects}, got ${long(e.actual)}`
          : '';
  if (e.generated) return values || head;
  return values ? `${head} (${values})` : head;
}

// ---- the script ----

function printOutcome(o: Outcome): void {
  if (o.ok) {
    process.stdout.write(`  ${chalk.green('✔')} ${o.name}\n`);
    return;
  }
  process.stdout.write(`  ${chalk.red('✘')} ${o.name}\n`);
  const reason = reasonOf(o.error);
  const color = notImplementedIn(o.error) ? chalk.yellow : chalk.dim;
  process.stdout.write(
    reason
      .split('\n')
      .map((l) => `      ${color(l)}\n`)
      .join(''),
  );
}

/** The chapter a test file belongs to (its folder, when uvu ran on chapters/). */
function chapterOfFile(file: string, chapters: Chapter[]): Chapter {
  return chapters.find((c) => file.startsWith(`${c.tag}-${c.slug}/`)) ?? chapters[0]!;
}

export async function main(argv: string[], ws: Workspace = WORKSPACE): Promise<number> {
  const rest = [...argv];
  let stageArg: string | undefined;
  const si = rest.indexOf('--stage');
  if (si >= 0) {
    stageArg = rest[si + 1];
    if (!stageArg) throw new WorkflowError('--stage needs a folder (one that holds main.ts)', USAGE);
    rest.splice(si, 2);
  }
  const { args, flags } = parseArgs(rest, ['previous', 'verbose'], 'verify');
  if (args.length > 1) throw new WorkflowError(`npm run verify takes one chapter, got: ${args.join(' ')}`, USAGE);
  const chapter = chapterOf(args[0], 'verify', ws);
  const tag = chapter.tag;
  const stage = path.resolve(ws.root, stageArg ?? `exercises/${tag}`);
  if (!fs.existsSync(path.join(stage, 'main.ts'))) {
    throw new WorkflowError(
      stageArg
        ? `${stageArg} has no main.ts`
        : (handoutNoExercise(tag, ws.root) ??
            `exercises/${tag} does not exist yet: \`npm run exercises\` writes it from solutions/${tag}`),
      USAGE,
    );
  }
  if (!isRoot()) {
    const extra =
      argv.length > 1
        ? ` -- ${argv
            .filter((a) => a !== tag)
            .map(shellQuote)
            .join(' ')}`
        : '';
    throw new WorkflowError(
      `the chapter's tests start real containers: ${notRootMessage(`sudo -E npm run verify ${tag}${extra}`)}`,
      USAGE,
    );
  }

  const chapters = flags.has('previous') ? [...earlierChapters(tag, ws), chapter] : [chapter];
  const cmd = testCommand(chapters, stage, ws);
  process.stdout.write(`${chalk.dim('$')} ${cmd.display}\n`);
  let shown: Chapter | undefined;
  const run = await runTests(
    chapters,
    stage,
    (o) => {
      const c = chapterOfFile(o.file, chapters);
      if (c !== shown) {
        process.stdout.write(
          `\n${chalk.bold(`${c.tag} ${c.title}`)} ${chalk.dim(`(${chapterDir(c)} on ${rel(stage, ws)})`)}\n`,
        );
        shown = c;
      }
      printOutcome(o);
    },
    ws,
  );
  // A test that passed but whose after-each hook failed is shown again, as failed.
  for (const o of run.outcomes) if (!o.ok && /^passed, but a hook/.test(o.error?.message ?? '')) printOutcome(o);
  const failed = run.outcomes.filter((o) => !o.ok);
  const passed = run.outcomes.length - failed.length;
  const complete = run.status === 0 || (run.total !== undefined && run.total === run.outcomes.length);

  if (flags.has('verbose') || !complete) {
    if (!complete) {
      const during = run.running ? ` during "${run.running.name}" (${run.running.file})` : '';
      process.stdout.write(
        `\n${chalk.red(`The test run ended early${during}`)} (uvu exit status ${run.status}); its output:\n`,
      );
    }
    const out = plain(run.output).trimEnd().split('\n');
    process.stdout.write(`${(flags.has('verbose') ? out : out.slice(-30)).map((l) => `  | ${l}`).join('\n')}\n`);
  }

  const ok = runPassed(run);
  const onExercise = stageArg === undefined;
  if (onExercise) recordVerify(tag, { passed: ok, tests: run.outcomes.length, failed: failed.length }, ws);

  process.stdout.write('\n');
  if (ok) {
    process.stdout.write(
      `${chalk.green('✔')} all ${passed} tests pass on ${rel(stage, ws)}.${onExercise ? ' Progress saved (npm run chapters).' : ''}\n`,
    );
    const next = ws.chapters[ws.chapters.indexOf(chapter) + 1];
    if (next && onExercise)
      process.stdout.write(`Next: chapter ${next.tag}, ${next.title} — ${chapterDir(next)}/README.md\n`);
    return 0;
  }
  const unfinished = run.running
    ? `, and the run stopped during "${run.running.name}"`
    : ', and the run did not finish';
  process.stdout.write(`${chalk.red('✘')} ${passed} passed, ${failed.length} failed${complete ? '' : unfinished}.\n`);
  // Point at the hints for the first TODO a test ran into, if the chapter has them.
  const todo = failed.map((o) => notImplementedIn(o.error)).find((h) => h && h.chapter === tag);
  const n = todo && hintFor(tag, todo.step, ws);
  if (todo && n)
    process.stdout.write(
      `Stuck on "${todo.step}"? \`npm run hint ${tag} -- ${n}\`, from the idea to nearly the code.\n`,
    );
  else
    process.stdout.write(`Stuck? \`npm run hint ${tag}\` has hints for each step, from the idea to nearly the code.\n`);
  return 1;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
