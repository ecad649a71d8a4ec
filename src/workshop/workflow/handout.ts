// `npm run handout TAG DIR`: a copy of the workshop for an assignment up to chapter TAG,
// without its answers. Machinery for teachers (docs/teaching.md). The copy holds
//
//   solutions/<t>          the reference stages below TAG (what the exercise builds on)
//   exercises/TAG          the exercise, generated as `npm run exercises` writes it
//   exercises/<later>      with --through LATER, the later chapters' exercises too, each
//                          built on the learner's own exercise below it (there is no
//                          solution to build on), so chapter 4.2 works once 4.1 does
//   chapters/<t>-<slug>    guides, hints and tests of those chapters only
//   src/, docs/, package files, README.md   the tools (tests of the tools left out)
//   handout.json           what it was made from (TAG, the chapters, the git commit)
//
// and never solutions/TAG or later, nor the teacher's notes. The registry in the copy
// (src/workshop/chapters.ts) lists only the chapters the copy has, so every tool speaks
// of those alone; package.json loses the scripts that need what was left out (test,
// exercises, bench, docs, handout). In the copy, `npm ci`, `npm run verify TAG` and
// `npm run grade` work as in the workshop.
//
//   npm run handout 4.1 ../lab-4.1                        chapter 4.1's exercise
//   npm run handout 4.1 ../lab-4.1 -- --through 4.3       4.1, 4.2 and 4.3
//   npm run handout 4.1 ../lab-4.1 -- --classroom         with .github/workflows/classroom.yml
//                                                         (GitHub Classroom, docs/teaching.md)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chapterDir, type Chapter } from '../chapters.ts';
import {
  chapterOf,
  isMain,
  listFiles,
  mkdirOwned,
  ownByInvoker,
  runScript,
  USAGE,
  WORKSPACE,
  WorkflowError,
  writeOwned,
  type Workspace,
} from './common.ts';
import { generateStage, type GeneratedFile } from './generate.ts';
import { MANIFEST, type HandoutManifest } from './handout-manifest.ts';

export { readHandoutManifest, type HandoutManifest } from './handout-manifest.ts';

/** The workflow file for GitHub Classroom, and where a handout made with --classroom has it. */
export const CLASSROOM_WORKFLOW = 'docs/classroom.yml';
export const CLASSROOM_TARGET = '.github/workflows/classroom.yml';

/** Scripts a handout drops: each needs something a handout leaves out. */
export const DROPPED_SCRIPTS = ['test', 'test:vm', 'exercises', 'bench', 'docs', 'handout'];

export interface HandoutPlan {
  tag: string;
  /** Below TAG: their solutions go in. */
  references: Chapter[];
  /** TAG and later: their exercises go in. */
  exercises: Chapter[];
}

/** Which chapters a handout of `tag` (through `through`) holds, and how. */
export function planHandout(tag: string, through: string | undefined, ws: Workspace = WORKSPACE): HandoutPlan {
  const chapter = chapterOf(tag, 'handout', ws);
  const last = through === undefined ? chapter : chapterOf(through, 'handout', ws);
  const i = ws.chapters.indexOf(chapter);
  const j = ws.chapters.indexOf(last);
  if (j < i) throw new WorkflowError(`--through ${through} comes before ${tag}`, USAGE);
  const plan = { tag, references: ws.chapters.slice(0, i), exercises: ws.chapters.slice(i, j + 1) };
  for (const c of [...plan.references, ...plan.exercises]) {
    if (!fs.existsSync(path.join(ws.root, 'solutions', c.tag, 'main.ts')))
      throw new WorkflowError(`chapter ${c.tag} has no solution here (solutions/${c.tag}/main.ts)`, USAGE);
  }
  return plan;
}

/**
 * The exercise of chapter `c` as the handout has it: as generated, except that an import
 * of a chapter whose solution the handout lacks leads to that chapter's exercise.
 * With `fill`, the reference code stays in (the handout's test drops it in this way).
 */
export function handoutExercise(
  c: Chapter,
  plan: HandoutPlan,
  ws: Workspace = WORKSPACE,
  fill = false,
): GeneratedFile[] {
  const withheld = plan.exercises.map((e) => path.join(ws.root, 'solutions', e.tag) + path.sep);
  const redirect = (target: string): string => {
    const hit = withheld.find((w) => target.startsWith(w));
    return hit ? path.join(ws.root, 'exercises', target.slice(path.join(ws.root, 'solutions').length + 1)) : target;
  };
  return generateStage(c.tag, { ws, redirect, ...(fill ? { fill: () => true } : {}) });
}

/** Every file of the workshop (relative paths): git's list when there is one, else a walk. */
function workshopFiles(root: string): string[] {
  const r = spawnSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
  });
  if (r.status === 0)
    return r.stdout
      .split('\0')
      .filter((f) => f && fs.existsSync(path.join(root, f)))
      .sort();
  const skip = /^(?:node_modules|\.git|tmp|docs\/site|\.mydocker-[^/]*)(?:\/|$)/;
  return listFiles(root).filter((f) => !skip.test(f));
}

/** Whether a file of the workshop goes into the handout as it is (special files aside). */
export function keeps(file: string, plan: HandoutPlan): boolean {
  const has = (cs: Chapter[], t: string) => cs.some((c) => c.tag === t);
  let m = /^solutions\/([^/]+)\//.exec(file);
  if (m) return has(plan.references, m[1]!);
  if (file.startsWith('exercises/')) return false; // the handout's own are generated
  m = /^chapters\/([^/]+)\//.exec(file);
  if (m) return [...plan.references, ...plan.exercises].some((c) => chapterDir(c) === `chapters/${m![1]}`);
  if (file === 'docs/teaching.md' || file === CLASSROOM_WORKFLOW) return false; // the teacher's
  if (file === 'typedoc.config.mjs') return false; // the docs site needs every chapter
  if (/^src\/.*\.test\.ts$/.test(file) || file.startsWith('src/testing/reliability/')) return false; // the tools' own tests
  // npm test's (and the cgroup v2 VM it boots), and CI's which runs it
  if (file === 'src/testing/test-all.ts' || file.startsWith('src/testing/vm/') || file.startsWith('.ci/')) return false;
  return true;
}

/** The registry with only these chapters: one `{ tag: '…', … }` line per chapter is dropped. */
export function filterRegistry(text: string, keep: Chapter[]): string {
  const out = text
    .split('\n')
    .filter((line) => {
      const m = /^\s*\{\s*tag:\s*'([^']+)'/.exec(line);
      return !m || keep.some((c) => c.tag === m[1]);
    })
    .join('\n');
  const listed = [...out.matchAll(/^\s*\{\s*tag:\s*'([^']+)'/gm)].map((m) => m[1]);
  const want = keep.map((c) => c.tag);
  if (listed.join(',') !== want.join(',')) {
    throw new WorkflowError(
      `src/workshop/chapters.ts: expected one "{ tag: '…' … }" line per chapter; found ${listed.join(', ')} for ${want.join(', ')}`,
    );
  }
  return out;
}

/**
 * A chapter test as the handout has it. Tests of pure logic type their import of the
 * stage with the solution's module (`typeof import('../../solutions/4.3/volumes.ts')`);
 * where the handout has no such solution, the exercise's module has the same exports.
 */
export function chapterTestFor(text: string, plan: HandoutPlan): string {
  return text.replace(/(['"])\.\.\/\.\.\/solutions\/([^/'"]+)\//g, (all, q: string, tag: string) =>
    plan.exercises.some((c) => c.tag === tag) ? `${q}../../exercises/${tag}/` : all,
  );
}

function readmeFor(text: string, plan: HandoutPlan): string {
  const ex = plan.exercises.map((c) => c.tag);
  const last = plan.references.at(-1);
  const note =
    `> **Assignment: chapter${ex.length > 1 ? 's' : ''} ${ex.join(', ')}.** This copy of the workshop has the exercise` +
    `${ex.length > 1 ? 's' : ''} in ${ex.map((t) => `\`exercises/${t}/\``).join(', ')}` +
    `${last ? ` and the reference stages of chapters ${plan.references[0]!.tag}–${last.tag} in \`solutions/\`` : ''}; ` +
    `the later chapters are not part of it. Check your work with \`sudo -E npm run verify ${plan.tag}\`; ` +
    `\`sudo -E npm run grade\` grades every exercise here.\n\n`;
  const kept = [...plan.references, ...plan.exercises];
  // The chapter table keeps the rows of the chapters here; the teacher's lines go.
  const lines = text
    .replace(/^Teaching a class:[^]*?\n\n/m, '')
    .split('\n')
    .filter((l) => {
      const row = /^\| \[([^\]]+)\]\(chapters\//.exec(l);
      return (!row || kept.some((c) => c.tag === row[1])) && !l.startsWith('npm run handout');
    });
  const title = lines.findIndex((l) => l.startsWith('# '));
  lines.splice(title + 1, 0, '', note.trimEnd());
  return lines.join('\n');
}

function packageFor(text: string): string {
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  for (const s of DROPPED_SCRIPTS) delete pkg.scripts?.[s];
  return JSON.stringify(pkg, null, 2) + '\n';
}

function gitSource(root: string): HandoutManifest['source'] {
  const head = spawnSync('git', ['-C', root, 'rev-parse', '--verify', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return { commit: null, dirty: false };
  const status = spawnSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

export interface HandoutResult {
  dir: string;
  files: number;
  manifest: HandoutManifest;
}

/** Write the handout into `dir` (which must not exist, or be empty). */
export function writeHandout(
  plan: HandoutPlan,
  dir: string,
  opts: { classroom?: boolean; ws?: Workspace } = {},
): HandoutResult {
  const ws = opts.ws ?? WORKSPACE;
  const abs = path.resolve(dir);
  const inside = path.relative(abs, ws.root);
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside)))
    throw new WorkflowError(`${dir} holds the workshop itself: choose a new folder`, USAGE);
  if (fs.existsSync(abs) && fs.readdirSync(abs).length > 0)
    throw new WorkflowError(`${dir} exists and is not empty: choose a new folder`, USAGE);
  mkdirOwned(abs);
  let files = 0;
  const put = (file: string, content: string | Buffer) => {
    writeOwned(path.join(abs, file), content);
    files++;
  };
  const keepChapters = [...plan.references, ...plan.exercises];
  for (const file of workshopFiles(ws.root)) {
    if (!keeps(file, plan)) continue;
    const src = path.join(ws.root, file);
    if (file === 'src/workshop/chapters.ts') put(file, filterRegistry(fs.readFileSync(src, 'utf8'), keepChapters));
    else if (file === 'README.md') put(file, readmeFor(fs.readFileSync(src, 'utf8'), plan));
    else if (file === 'package.json') put(file, packageFor(fs.readFileSync(src, 'utf8')));
    else if (/^chapters\/.*\.ts$/.test(file)) put(file, chapterTestFor(fs.readFileSync(src, 'utf8'), plan));
    else {
      mkdirOwned(path.dirname(path.join(abs, file)));
      fs.copyFileSync(src, path.join(abs, file)); // keeps the mode: quickstart.sh stays executable
      ownByInvoker(path.join(abs, file));
      files++;
    }
  }
  for (const c of plan.exercises) {
    for (const g of handoutExercise(c, plan, ws)) put(`exercises/${c.tag}/${g.file}`, g.content);
  }
  if (opts.classroom) put(CLASSROOM_TARGET, fs.readFileSync(path.join(ws.root, CLASSROOM_WORKFLOW)));
  const manifest: HandoutManifest = {
    tag: plan.tag,
    exercises: plan.exercises.map((c) => c.tag),
    references: plan.references.map((c) => c.tag),
    source: gitSource(ws.root),
    at: new Date().toISOString(),
  };
  put(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  return { dir: abs, files, manifest };
}

const HELP = `usage: npm run handout TAG DIR [-- --through LATER] [--classroom]
  writes into DIR (new or empty) the workshop for an assignment up to chapter TAG: the
  reference stages below TAG, the exercise of TAG (with --through, of the later chapters
  up to LATER too), their guides, hints and tests, and the tools; no solution of TAG or later.
  --classroom  also .github/workflows/classroom.yml, the GitHub Classroom workflow (docs/teaching.md)
`;

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const args: string[] = [];
  let through: string | undefined;
  let classroom = process.env.npm_config_classroom === 'true';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      return 0;
    } else if (a === '--through') {
      through = argv[++i];
      if (!through) throw new WorkflowError('--through needs a chapter', USAGE);
    } else if (a === '--classroom') classroom = true;
    else if (a.startsWith('-'))
      throw new WorkflowError(`npm run handout: unknown option ${a} (options: --through LATER, --classroom)`, USAGE);
    else args.push(a);
  }
  if (args.length !== 2)
    throw new WorkflowError('usage: npm run handout TAG DIR [-- --through LATER] [--classroom]', USAGE);
  const [tag, dir] = args as [string, string];
  const plan = planHandout(tag, through, ws);
  const res = writeHandout(plan, dir, { classroom, ws });
  const ex = res.manifest.exercises;
  process.stdout.write(
    `${res.dir}: ${res.files} files — exercise${ex.length > 1 ? 's' : ''} ${ex.join(', ')}` +
      `${plan.references.length ? `, reference stages ${res.manifest.references.join(', ')}` : ''}; no solution of ${tag} or later.\n` +
      `There: npm ci, then sudo -E npm run verify ${tag} (fails until the exercise is done), sudo -E npm run grade.\n`,
  );
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
