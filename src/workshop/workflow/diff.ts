// `npm run diff <tag>`: what a chapter changes against the stages below it. Machinery.
// A stage holds only the files its chapter adds or changes (DESIGN.md, "A stage is a
// layer"), so this shows, for every file of solutions/<tag>/: the diff against the same
// file in the nearest earlier stage that has it, or the whole file when it is new.
// The reference stages are compared (the exercise is the same with the TODOs cut out).
// The diff itself is git's (`git diff --no-index`), colored when stdout is a terminal.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { chapterOf, earlierChapters, isMain, listFiles, runScript, solutionDir, WORKSPACE, WorkflowError, type Workspace } from './common.ts';

export interface FileChange {
  /** Relative to the stage: cgroups/cgroup.ts */
  file: string;
  /** The earlier stage's tag the file is compared with; undefined for a new file. */
  base?: string;
}

/** Each file of the stage, with the nearest earlier stage holding the same path. */
export function stageChanges(tag: string, ws: Workspace = WORKSPACE): FileChange[] {
  const dir = solutionDir(tag, ws);
  if (!fs.existsSync(dir)) throw new WorkflowError(`chapter ${tag} has no solution yet (solutions/${tag}/)`);
  const earlier = earlierChapters(tag, ws).reverse();
  return listFiles(dir).map((file) => ({ file, base: earlier.find((c) => fs.existsSync(path.join(solutionDir(c.tag, ws), file)))?.tag }));
}

/** git's diff of two files (paths relative to the root); '' when they are equal. */
export function gitDiff(a: string, b: string, color: boolean, ws: Workspace = WORKSPACE): string {
  const r = spawnSync('git', ['diff', '--no-index', `--color=${color ? 'always' : 'never'}`, '--', a, b], { cwd: ws.root, encoding: 'utf8' });
  if (r.error) throw new WorkflowError(`npm run diff needs git: ${r.error.message}`);
  // git diff exits 1 when the files differ; only >1 is an error.
  if (r.status !== 0 && r.status !== 1) throw new WorkflowError(`git diff ${a} ${b}: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const chapter = chapterOf(argv[0], 'diff', ws);
  const color = process.stdout.isTTY === true && chalk.level > 0;
  const changes = stageChanges(chapter.tag, ws);
  const added = changes.filter((c) => !c.base);
  const changed = changes.filter((c) => c.base);
  const out: string[] = [];
  const summary = [
    `Chapter ${chapter.tag}, ${chapter.title}: solutions/${chapter.tag}/ against the stages below it`,
    ...changed.map((c) => `  changed  ${c.file}  (was solutions/${c.base}/${c.file})`),
    ...added.map((c) => `  new      ${c.file}`),
  ];
  out.push(chalk.bold(summary[0]!), ...summary.slice(1), '');
  for (const c of changed) out.push(gitDiff(`solutions/${c.base}/${c.file}`, `solutions/${chapter.tag}/${c.file}`, color, ws));
  for (const c of added) out.push(gitDiff('/dev/null', `solutions/${chapter.tag}/${c.file}`, color, ws));
  process.stdout.write(out.join('\n'));
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
