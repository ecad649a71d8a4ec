// The CI check of the exercises. Machinery. Two things must hold:
//  1. the committed exercises/ is exactly what `npm run exercises` writes from solutions/;
//  2. no chapter test is vacuous: on the untouched exercise, the chapter's own tests fail
//     — at least one — and every failing test says why with the NotImplemented message
//     (a test that fails for another reason, or times out, would tell a learner nothing
//     about which TODO to do). That the same tests pass on solutions/ is npm test's part.
//
//   node --import tsx src/workflow/check-exercises.ts [TAG...] [--generated-only]

import fs from 'node:fs';
import path from 'node:path';
import { exerciseDir, isMain, parseArgs, runScript, WORKSPACE, type Workspace } from './common.ts';
import { checkGenerated } from './exercises.ts';
import { generatableTags } from './generate.ts';
import { notImplementedIn, plain, reasonOf, runTestsSync } from './verify.ts';

export interface CheckOptions {
  /** Only these chapters (default: every chapter with a solution). */
  tags?: string[];
  /** Skip part 2 (the chapter tests on the exercises). */
  generatedOnly?: boolean;
  ws?: Workspace;
}

export function checkExercises(opts: CheckOptions = {}): { ok: boolean; report: string } {
  const ws = opts.ws ?? WORKSPACE;
  const tags = opts.tags ?? generatableTags(ws);
  const lines: string[] = [];
  let ok = true;

  const drift = checkGenerated(tags, ws);
  if (drift.length) {
    ok = false;
    lines.push(`✘ exercises/ is not what \`npm run exercises\` writes (${drift.length} file(s)); run it and commit:`);
    lines.push(...drift.map((d) => `    ${d}`));
  } else {
    lines.push(`✔ exercises/ is as generated (${tags.join(', ')})`);
  }
  if (opts.generatedOnly) return { ok, report: lines.join('\n') };

  for (const tag of tags) {
    const chapter = ws.chapters.find((c) => c.tag === tag)!;
    const stage = exerciseDir(tag, ws);
    if (!fs.existsSync(path.join(stage, 'main.ts'))) {
      ok = false;
      lines.push(`✘ ${tag}: exercises/${tag}/main.ts is missing`);
      continue;
    }
    const run = runTestsSync([chapter], stage, ws);
    const failed = run.outcomes.filter((o) => !o.ok);
    const silent = failed.filter((o) => !notImplementedIn(o.error));
    const complete = run.total !== undefined && run.total === run.outcomes.length;
    const counts = `${failed.length} of ${run.outcomes.length} tests fail on the untouched exercise`;
    if (!complete) {
      ok = false;
      const tail = plain(run.output).trimEnd().split('\n').slice(-12);
      lines.push(`✘ ${tag}: the test run did not finish (uvu status ${run.status}); ${counts}. Command: ${run.command}`);
      lines.push(...tail.map((l) => `    | ${l}`));
    } else if (failed.length === 0) {
      ok = false;
      lines.push(`✘ ${tag}: every test passes on the untouched exercise: the tests do not check what the chapter teaches`);
    } else if (silent.length) {
      ok = false;
      lines.push(`✘ ${tag}: ${counts}, ${silent.length} of them without the NotImplemented message:`);
      for (const o of silent) lines.push(`    "${o.name}": ${reasonOf(o.error).split('\n')[0]}`);
    } else {
      lines.push(`✔ ${tag}: ${counts}, each with the NotImplemented message`);
    }
  }
  return { ok, report: lines.join('\n') };
}

function main(argv: string[]): number {
  const { args, flags } = parseArgs(argv, ['generated-only'], 'check-exercises');
  const { ok, report } = checkExercises({ tags: args.length ? args : undefined, generatedOnly: flags.has('generated-only') });
  process.stdout.write(report + '\n');
  return ok ? 0 : 1;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
