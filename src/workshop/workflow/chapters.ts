// `npm run chapters`: every chapter with its title and where you stand — ✔ when its
// last `npm run verify` passed, ✘ when it failed. Machinery; the results come from
// .mydocker-progress.json (progress.ts).

import fs from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { chapterDir } from '../chapters.ts';
import { exerciseDir, isMain, runScript, solutionDir, WORKSPACE, type Workspace } from './common.ts';
import { readProgress } from './progress.ts';

export function main(_argv: string[], ws: Workspace = WORKSPACE): number {
  const progress = readProgress(ws);
  const width = Math.max(...ws.chapters.map((c) => c.title.length));
  process.stdout.write(`${chalk.bold('Chapters')}  ${chalk.dim('(✔ verified, ✘ last verify failed)')}\n\n`);
  let next: string | undefined;
  for (const c of ws.chapters) {
    const rec = progress.chapters[c.tag];
    const mark = rec ? (rec.passed ? chalk.green('✔') : chalk.red('✘')) : ' ';
    // A handout (npm run handout) has the exercise of its chapter, not the solution.
    const written = fs.existsSync(solutionDir(c.tag, ws)) || fs.existsSync(exerciseDir(c.tag, ws));
    const note = !written
      ? chalk.dim('coming later')
      : rec
        ? chalk.dim(
            `${rec.passed ? 'passed' : `${rec.failed} of ${rec.tests} failed`} ${rec.at.slice(0, 16).replace('T', ' ')}`,
          )
        : chalk.dim(chapterDir(c));
    process.stdout.write(`  ${mark} ${c.tag.padEnd(4)}  ${c.title.padEnd(width)}  ${note}\n`);
    if (!next && written && !rec?.passed && fs.existsSync(path.join(exerciseDir(c.tag, ws), 'main.ts'))) next = c.tag;
  }
  if (next) {
    const c = ws.chapters.find((ch) => ch.tag === next)!;
    process.stdout.write(
      `\nNext: read ${chapterDir(c)}/README.md, fill in the TODOs in exercises/${c.tag}/, then \`sudo -E npm run verify ${c.tag}\`.\n`,
    );
  } else if (Object.keys(progress.chapters).length) {
    process.stdout.write(`\n${chalk.green('Every chapter verified.')}\n`);
  }
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
