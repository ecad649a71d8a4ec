// `npm run exercises`: write exercises/<tag>/ from solutions/<tag>/ for every chapter in
// src/workshop/chapters.ts that has a solution. Machinery for maintainers (learners get the
// exercises committed). The logic is in generate.ts; the rules for overwriting are in
// README.md next to this file.
//
//   npm run exercises                  write every stage; the learner's edits are kept
//   npm run exercises -- 3.2 4.1       only these stages
//   npm run exercises -- --check       write nothing; exit 1 listing what differs (CI)
//   npm run exercises -- --force       write over edits too (copied to .mydocker-backup/ first)

import chalk from 'chalk';
import { chapterOf, isMain, parseArgs, runScript, USAGE, WORKSPACE, WorkflowError, type Workspace } from './common.ts';
import {
  applyStage,
  compareStage,
  driftLines,
  generatableTags,
  unregisteredSolutions,
  type Comparison,
} from './generate.ts';
import { headFiles } from './git.ts';

/** `--check`: the lines that differ for these stages (empty when everything is as generated). */
export function checkGenerated(tags: string[] = generatableTags(), ws: Workspace = WORKSPACE): string[] {
  const head = headFiles(ws.root, 'exercises');
  return tags.flatMap((t) => driftLines(compareStage(t, ws, head)));
}

function summary(cmp: Comparison): string {
  const n = cmp.files.filter((f) => f.generated).length;
  return `${n} file${n === 1 ? '' : 's'}, ${cmp.todos} TODO${cmp.todos === 1 ? '' : 's'}`;
}

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const { args, flags } = parseArgs(argv, ['check', 'force'], 'exercises');
  if (flags.has('check') && flags.has('force'))
    throw new WorkflowError('--check writes nothing; it cannot be combined with --force', USAGE);
  const available = generatableTags(ws);
  for (const t of args) {
    chapterOf(t, 'exercises', ws);
    if (!available.includes(t)) throw new WorkflowError(`chapter ${t} has no solution yet (solutions/${t}/)`, USAGE);
  }
  const tags = args.length ? args : available;
  for (const d of unregisteredSolutions(ws)) {
    process.stderr.write(
      `${chalk.yellow('note:')} solutions/${d} is not listed in src/workshop/chapters.ts; no exercise is generated for it\n`,
    );
  }

  if (flags.has('check')) {
    const drift = checkGenerated(tags, ws);
    if (drift.length === 0) {
      process.stdout.write(`exercises/ is as generated for ${tags.join(', ')}\n`);
      return 0;
    }
    for (const line of drift) process.stdout.write(`${line}\n`);
    process.stdout.write(
      `${drift.length} file(s) differ from what \`npm run exercises\` writes: run it and commit exercises/\n`,
    );
    return 1;
  }

  const head = headFiles(ws.root, 'exercises');
  let kept = 0;
  for (const tag of tags) {
    const cmp = compareStage(tag, ws, head);
    const res = applyStage(cmp, flags.has('force'), ws);
    const changes = res.written.length + res.removed.length;
    process.stdout.write(
      `exercises/${tag}: ${summary(cmp)}${changes ? `; ${res.written.length} written, ${res.removed.length} removed` : ', up to date'}\n`,
    );
    if (res.backup) process.stdout.write(`  your edits were copied to ${res.backup} before being replaced\n`);
    for (const p of res.kept)
      process.stdout.write(`  ${chalk.yellow('kept')} ${p}: it has edits that are not committed (see --force)\n`);
    kept += res.kept.length;
    if (res.kept.length && cmp.gitProblem) process.stdout.write(`  (git HEAD could not be read: ${cmp.gitProblem})\n`);
  }
  if (kept) {
    process.stderr.write(
      `${kept} file(s) kept as they are. Commit them if they are yours, or run \`npm run exercises -- --force\` ` +
        'to replace them (a copy goes to .mydocker-backup/ first).\n',
    );
    return 1;
  }
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
