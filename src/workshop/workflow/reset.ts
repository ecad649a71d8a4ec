// `npm run reset <tag>`: start an exercise over — exercises/<tag>/ exactly as the
// generator writes it, and no other chapter touched. Machinery.
//
// Your work is never lost: if exercises/<tag> holds edits that git does not have
// (changed since the last commit, or files git does not know), reset refuses and lists
// them. With --force it first copies those files to .mydocker-backup/<time>/ (outside
// the tracked tree) and says where.
//
//   npm run reset 3.1
//   npm run reset 3.1 -- --force

import chalk from 'chalk';
import { chapterOf, isMain, parseArgs, runScript, USAGE, WORKSPACE, WorkflowError, type Workspace } from './common.ts';
import { applyStage, compareStage, generatableTags, isLearnersWork } from './generate.ts';
import { handoutResetMessage } from './handout-manifest.ts';
import { forgetVerify } from './progress.ts';

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const { args, flags } = parseArgs(argv, ['force'], 'reset');
  if (args.length !== 1) throw new WorkflowError('usage: npm run reset <chapter> [-- --force]', USAGE);
  const tag = chapterOf(args[0], 'reset', ws).tag;
  if (!generatableTags(ws).includes(tag))
    throw new WorkflowError(
      handoutResetMessage(tag, ws.root) ?? `chapter ${tag} has no exercise yet (no solutions/${tag}/)`,
      USAGE,
    );
  const cmp = compareStage(tag, ws);
  const work = cmp.files.filter(isLearnersWork);
  if (work.length && !flags.has('force')) {
    const why = cmp.gitProblem ? ` (git HEAD could not be read: ${cmp.gitProblem})` : '';
    process.stderr.write(
      `${chalk.red('reset refused:')} exercises/${tag} has edits that are not committed${why}:\n` +
        work.map((f) => `  ${f.path}${f.generated ? '' : '  (a file the exercise does not have)'}\n`).join('') +
        `Commit them if you want to keep them, or run \`npm run reset ${tag} -- --force\`: ` +
        'they are copied to .mydocker-backup/ first.\n',
    );
    return 1;
  }
  const res = applyStage(cmp, true, ws);
  forgetVerify(tag, ws); // `npm run chapters` no longer shows it as done
  if (res.backup) process.stdout.write(`Your edits are saved in ${res.backup}\n`);
  const n = res.written.length + res.removed.length;
  process.stdout.write(
    n
      ? `exercises/${tag} restored as generated (${n} file${n === 1 ? '' : 's'} replaced or removed).\n`
      : `exercises/${tag} is already as generated.\n`,
  );
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
