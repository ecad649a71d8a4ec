// `npm run diff <tag>`: what a chapter changes against the stages below it. Machinery.
// A stage holds only the files its chapter adds or changes (docs/architecture.md, "A
// stage is a layer"), so this shows, for every file of solutions/<tag>/, the diff
// against its base: the file named by a `// base: ../3.3/run.ts` line in its header (a
// file that began as a copy of another under a new name), else the same path in the
// nearest earlier stage that has it, else nothing (a new file, shown whole).
//
// The chapter's exercise regions are shown as the learner meets them, marker and all,
// with the reference code left out: the guides send you here before you have written
// it. `--solution` shows the reference code too.
// The diff itself is git's (`git diff --no-index`), colored when stdout is a terminal.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import {
  chapterOf,
  earlierChapters,
  isMain,
  listFiles,
  parseArgs,
  rel,
  runScript,
  solutionDir,
  USAGE,
  WORKSPACE,
  WorkflowError,
  type Workspace,
} from './common.ts';
import { CODE_FILE, findRegions } from './generate.ts';

export interface FileChange {
  /** Relative to the stage: cgroups/cgroup.ts */
  file: string;
  /** The file it is compared with, relative to the root (solutions/3.3/run.ts); undefined for a new file. */
  base?: string;
}

/** `// base: ../3.3/run.ts` in a file's leading comment: the file it began as a copy of. */
const BASE_LINE = /^\/\/ base: (\S+)/;

/** The base a file names in its header comment, resolved (absolute), if it names one. */
export function declaredBase(file: string): string | undefined {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('//')) return undefined; // the header comment is over
    const m = BASE_LINE.exec(line);
    if (m) return path.resolve(path.dirname(file), m[1]!);
  }
  return undefined;
}

/** Each file of the stage, with its base (see the top of this file). */
export function stageChanges(tag: string, ws: Workspace = WORKSPACE): FileChange[] {
  const dir = solutionDir(tag, ws);
  if (!fs.existsSync(dir)) throw new WorkflowError(`chapter ${tag} has no solution yet (solutions/${tag}/)`);
  const earlier = earlierChapters(tag, ws).reverse();
  return listFiles(dir).map((file) => {
    const declared = CODE_FILE.test(file) ? declaredBase(path.join(dir, file)) : undefined;
    if (declared) {
      if (!fs.existsSync(declared))
        throw new WorkflowError(`solutions/${tag}/${file} names its base ${rel(declared, ws)}, which does not exist`);
      return { file, base: rel(declared, ws) };
    }
    const below = earlier.find((c) => fs.existsSync(path.join(solutionDir(c.tag, ws), file)));
    return { file, base: below && `solutions/${below.tag}/${file}` };
  });
}

/** `text` with the reference code of each exercise region left out, its markers kept. */
export function withoutSolutions(text: string, tag: string, where: string): string {
  const lines = text.split('\n');
  for (const r of findRegions(text, where).reverse()) {
    lines.splice(
      r.start,
      r.end - r.start - 1,
      `${r.indent}// … your code (npm run diff ${tag} -- --solution shows the reference)`,
    );
  }
  return lines.join('\n');
}

/** git's diff of two files (paths relative to `cwd`); '' when they are equal. */
export function gitDiff(a: string, b: string, color: boolean, cwd: string): string {
  const r = spawnSync('git', ['diff', '--no-index', `--color=${color ? 'always' : 'never'}`, '--', a, b], {
    cwd,
    encoding: 'utf8',
  });
  if (r.error) throw new WorkflowError(`npm run diff needs git: ${r.error.message}`);
  // git diff exits 1 when the files differ; only >1 is an error.
  if (r.status !== 0 && r.status !== 1)
    throw new WorkflowError(`git diff ${a} ${b}: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const { args, flags } = parseArgs(argv, ['solution'], 'diff');
  if (args.length > 1) throw new WorkflowError(`npm run diff: one chapter at a time (got ${args.join(' ')})`, USAGE);
  const chapter = chapterOf(args[0], 'diff', ws);
  const showSolution = flags.has('solution');
  const color = process.stdout.isTTY === true && chalk.level > 0;
  const changes = stageChanges(chapter.tag, ws);
  const added = changes.filter((c) => !c.base);
  const changed = changes.filter((c) => c.base);
  const out: string[] = [];
  const summary = [
    `Chapter ${chapter.tag}, ${chapter.title}: solutions/${chapter.tag}/ against the stages below it` +
      (showSolution ? '' : ' (the exercise regions without their code; --solution shows it)'),
    ...changed.map((c) => `  changed  ${c.file}  (was ${c.base})`),
    ...added.map((c) => `  new      ${c.file}`),
  ];
  out.push(chalk.bold(summary[0]!), ...summary.slice(1), '');
  // The files are compared from a scratch copy holding the base files and this stage's
  // files as they are to be shown, under their own relative paths (git prints those).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-diff-'));
  try {
    const place = (relPath: string, text: string) => {
      fs.mkdirSync(path.join(scratch, path.dirname(relPath)), { recursive: true });
      fs.writeFileSync(path.join(scratch, relPath), text);
    };
    for (const c of changes) {
      const relPath = `solutions/${chapter.tag}/${c.file}`;
      const text = fs.readFileSync(path.join(ws.root, relPath), 'utf8');
      place(relPath, showSolution || !CODE_FILE.test(c.file) ? text : withoutSolutions(text, chapter.tag, relPath));
      if (c.base) place(c.base, fs.readFileSync(path.join(ws.root, c.base), 'utf8'));
    }
    for (const c of changed) out.push(gitDiff(c.base!, `solutions/${chapter.tag}/${c.file}`, color, scratch));
    for (const c of added) out.push(gitDiff('/dev/null', `solutions/${chapter.tag}/${c.file}`, color, scratch));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(out.join('\n'));
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
