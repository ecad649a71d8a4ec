// The CI check of the exercises. Machinery. Two things must hold:
//  1. the committed exercises/ is exactly what `npm run exercises` writes from solutions/;
//  2. no chapter test is vacuous: on the untouched exercise, the chapter's own tests fail
//     — at least one — and every failing test says why with the NotImplemented message
//     (a test that fails for another reason, or times out, would tell a learner nothing
//     about which TODO to do). That the same tests pass on solutions/ is npm test's part.
//
//   node --import tsx src/workshop/workflow/check-exercises.ts [TAG...] [--generated-only]
//
// checkExercises() runs the chapters one after the other; the script (and
// checkExercisesAsync) runs them side by side, MYDOCKER_TEST_JOBS at a time (default:
// one per CPU), as npm test does.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Chapter } from '../chapters.ts';
import {
  exerciseDir,
  isMain,
  parseArgs,
  runScript,
  USAGE,
  WORKSPACE,
  WorkflowError,
  type Workspace,
} from './common.ts';
import { checkGenerated } from './exercises.ts';
import { generatableTags } from './generate.ts';
import { notImplementedIn, plain, reasonOf, runTests, runTestsSync, type TestRun } from './verify.ts';

export interface CheckOptions {
  /** Only these chapters (default: every chapter with a solution). */
  tags?: string[];
  /** Skip part 2 (the chapter tests on the exercises). */
  generatedOnly?: boolean;
  ws?: Workspace;
}

/** Part 1: the committed exercises equal the generator's output. */
function checkGeneratedPart(tags: string[], ws: Workspace): { ok: boolean; lines: string[] } {
  const drift = checkGenerated(tags, ws);
  if (drift.length === 0) return { ok: true, lines: [`✔ exercises/ is as generated (${tags.join(', ')})`] };
  return {
    ok: false,
    lines: [
      `✘ exercises/ is not what \`npm run exercises\` writes (${drift.length} file(s)); run it and commit:`,
      ...drift.map((d) => `    ${d}`),
    ],
  };
}

/** Part 2 for one chapter: what its tests on the untouched exercise must show. */
export function judge(tag: string, run: TestRun | undefined): { ok: boolean; lines: string[] } {
  if (!run) return { ok: false, lines: [`✘ ${tag}: exercises/${tag}/main.ts is missing`] };
  const failed = run.outcomes.filter((o) => !o.ok);
  const silent = failed.filter((o) => !notImplementedIn(o.error));
  const complete = run.total !== undefined && run.total === run.outcomes.length;
  const counts = `${failed.length} of ${run.outcomes.length} tests fail on the untouched exercise`;
  if (!complete) {
    const tail = plain(run.output).trimEnd().split('\n').slice(-12);
    return {
      ok: false,
      lines: [
        `✘ ${tag}: the test run did not finish (uvu status ${run.status}); ${counts}. Command: ${run.command}`,
        ...tail.map((l) => `    | ${l}`),
      ],
    };
  }
  if (failed.length === 0)
    return {
      ok: false,
      lines: [`✘ ${tag}: every test passes on the untouched exercise: the tests do not check what the chapter teaches`],
    };
  if (silent.length) {
    return {
      ok: false,
      lines: [
        `✘ ${tag}: ${counts}, ${silent.length} of them without the NotImplemented message:`,
        ...silent.map((o) => `    "${o.name}": ${reasonOf(o.error).split('\n')[0]}`),
      ],
    };
  }
  return { ok: true, lines: [`✔ ${tag}: ${counts}, each with the NotImplemented message`] };
}

function stageOf(tag: string, ws: Workspace): string | undefined {
  const stage = exerciseDir(tag, ws);
  return fs.existsSync(path.join(stage, 'main.ts')) ? stage : undefined;
}

function chapter(tag: string, ws: Workspace): Chapter {
  const c = ws.chapters.find((ch) => ch.tag === tag);
  if (!c) throw new WorkflowError(`unknown chapter "${tag}"`, USAGE);
  return c;
}

function combine(parts: { ok: boolean; lines: string[] }[]): { ok: boolean; report: string } {
  return { ok: parts.every((p) => p.ok), report: parts.flatMap((p) => p.lines).join('\n') };
}

/** Both checks, one chapter's tests after the other. */
export function checkExercises(opts: CheckOptions = {}): { ok: boolean; report: string } {
  const ws = opts.ws ?? WORKSPACE;
  const tags = opts.tags ?? generatableTags(ws);
  const parts = [checkGeneratedPart(tags, ws)];
  if (!opts.generatedOnly) {
    for (const tag of tags) {
      const stage = stageOf(tag, ws);
      parts.push(judge(tag, stage ? runTestsSync([chapter(tag, ws)], stage, ws) : undefined));
    }
  }
  return combine(parts);
}

/**
 * The same, with up to `jobs` chapters' tests running side by side (each test has its
 * own state root and cgroup prefix, so they cannot disturb each other).
 */
export async function checkExercisesAsync(
  opts: CheckOptions & { jobs?: number } = {},
): Promise<{ ok: boolean; report: string }> {
  const ws = opts.ws ?? WORKSPACE;
  const tags = opts.tags ?? generatableTags(ws);
  const parts = [checkGeneratedPart(tags, ws)];
  if (!opts.generatedOnly) {
    const results = new Map<string, TestRun | undefined>();
    const queue = [...tags];
    const width = Math.max(1, opts.jobs ?? os.cpus().length);
    await Promise.all(
      Array.from({ length: width }, async () => {
        for (let tag = queue.shift(); tag; tag = queue.shift()) {
          const stage = stageOf(tag, ws);
          results.set(tag, stage ? await runTests([chapter(tag, ws)], stage, () => {}, ws) : undefined);
        }
      }),
    );
    for (const tag of tags) parts.push(judge(tag, results.get(tag)));
  }
  return combine(parts);
}

async function main(argv: string[]): Promise<number> {
  const { args, flags } = parseArgs(argv, ['generated-only'], 'check-exercises');
  for (const t of args) chapter(t, WORKSPACE);
  const jobs = Number(process.env.MYDOCKER_TEST_JOBS) || undefined;
  const { ok, report } = await checkExercisesAsync({
    tags: args.length ? args : undefined,
    generatedOnly: flags.has('generated-only'),
    jobs,
  });
  process.stdout.write(report + '\n');
  return ok ? 0 : 1;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
