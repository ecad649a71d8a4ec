// The exercise generator's logic: solutions/<tag>/ in, exercises/<tag>/ out. Machinery
// (the CLI is exercises.ts; reset.ts and the CI check use the same functions).
//
// A solution file marks what its chapter teaches:
//
//     // exercise: enter the new namespaces
//     unshare(CHILD_NAMESPACES);
//     // end exercise
//
// and the exercise gets, at the same indentation,
//
//     // TODO(3.1): enter the new namespaces
//     throw new NotImplemented('3.1', 'enter the new namespaces', 'exercises/3.1/init.ts:23');
//
// with `NotImplemented` imported from src/runtime/errors.ts when the file needs it. Relative
// imports that leave the stage (`../3.1/x.ts`, `../../src/runtime/y.ts`) are re-pointed so they
// reach the same file from exercises/<tag>/ — earlier chapters therefore always come
// from solutions/, never from the learner's earlier (maybe unfinished) exercises.
// Every code file gets a one-line header saying where it came from.
//
// Which files may be overwritten (see README.md in this folder): a file equal to what the
// generator writes, to the version committed at HEAD, or to what the generator itself
// wrote last time (recorded in node_modules/.cache/mydocker/exercises-generated.json) is
// not the learner's work. Anything else is, and is never replaced without --force, which
// first copies it to .mydocker-backup/<time>/.

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {
  listFiles,
  mkdirOwned,
  ownByInvoker,
  rel,
  WORKSPACE,
  WorkflowError,
  writeOwned,
  type Workspace,
} from './common.ts';
import { blobId, headFiles, type HeadFiles } from './git.ts';

/** Files that get markers replaced, imports re-pointed and a header; others are copied as they are. */
export const CODE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

const START = /^([ \t]*)\/\/ exercise: *(.*?)\s*$/;
const END = /^[ \t]*\/\/ end exercise\s*$/;
// Near-misses (`//exercise:`, `// Exercise:`, `// end-exercise`) would silently leave the
// reference code in the exercise; they are errors instead.
const LOOKS_LIKE_START = /^\s*\/\/\s*exercise\s*:/i;
const LOOKS_LIKE_END = /^\s*\/\/\s*end[\s-]*exercise\b/i;

export interface Region {
  /** The marker's text: the step the learner writes. */
  step: string;
  indent: string;
  /** 1-based line numbers of the two markers. */
  start: number;
  end: number;
}

/** The marked regions of a file; a malformed marker is a WorkflowError naming file:line. */
export function findRegions(text: string, where: string): Region[] {
  const regions: Region[] = [];
  let open: Omit<Region, 'end'> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    const start = START.exec(line);
    if (start) {
      if (open) throw new WorkflowError(`${where}:${n}: "// exercise:" inside the region opened at line ${open.start}`);
      if (!start[2]) throw new WorkflowError(`${where}:${n}: "// exercise:" needs the step's text after the colon`);
      open = { step: start[2], indent: start[1]!, start: n };
    } else if (END.test(line)) {
      if (!open) throw new WorkflowError(`${where}:${n}: "// end exercise" without an "// exercise:" before it`);
      regions.push({ ...open, end: n });
      open = undefined;
    } else if (LOOKS_LIKE_START.test(line) || LOOKS_LIKE_END.test(line)) {
      throw new WorkflowError(
        `${where}:${n}: looks like an exercise marker but is not spelled "// exercise: TEXT" or "// end exercise"`,
      );
    }
  });
  if (open)
    throw new WorkflowError(`${where}:${open.start}: "// exercise: ${open.step}" is never closed by "// end exercise"`);
  return regions;
}

export interface FileJob {
  tag: string;
  /** The workspace root (absolute). */
  root: string;
  /** The stage folders, relative to root: solutions/3.1 and exercises/3.1. */
  sourceStage: string;
  targetStage: string;
  /** The file, relative to its stage: cgroups/cgroup.ts */
  file: string;
  /** Regions to leave filled in with the reference code (the workflow's tests use this). */
  fill?: (step: string) => boolean;
  /**
   * Where an import that leaves the stage should lead instead (absolute path in,
   * absolute path out): a handout without solutions/4.1 points 4.2's exercise at
   * exercises/4.1. Default: the file the solution imports.
   */
  redirect?: (target: string) => string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function isInside(p: string, dir: string): boolean {
  const r = path.relative(dir, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

function importPath(fromFile: string, toFile: string): string {
  const r = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

/** Every module specifier in the file: import/export … from, import(), import('x') types. */
function moduleSpecifiers(sf: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteralLike(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0]);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteralLike(node.argument.literal)
    ) {
      found.push(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * The edits that make `NotImplemented` available: none if it is imported already, else
 * added to an existing `import { … } from '…/src/runtime/errors.ts'`, else a new import line
 * after the last import. Returns the name to call it by.
 */
function notImplementedImport(
  sf: ts.SourceFile,
  text: string,
  srcAbs: string,
  dstAbs: string,
  root: string,
): { name: string; edits: Edit[] } {
  const errorsAbs = path.join(root, 'src', 'runtime', 'errors.ts');
  let lastImport: ts.ImportDeclaration | undefined;
  let mergeInto: ts.NamedImports | undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st)) continue;
    lastImport = st;
    const spec = (st.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.') || path.resolve(path.dirname(srcAbs), spec) !== errorsAbs) continue;
    const clause = st.importClause;
    if (!clause || clause.isTypeOnly || !clause.namedBindings) continue;
    const nb = clause.namedBindings;
    if (ts.isNamespaceImport(nb)) return { name: `${nb.name.text}.NotImplemented`, edits: [] };
    for (const el of nb.elements) {
      if (!el.isTypeOnly && (el.propertyName ?? el.name).text === 'NotImplemented')
        return { name: el.name.text, edits: [] };
    }
    mergeInto ??= nb;
  }
  if (mergeInto) {
    const last = mergeInto.elements.at(-1);
    const at = last ? last.end : mergeInto.getStart(sf) + 1;
    return {
      name: 'NotImplemented',
      edits: [{ start: at, end: at, text: last ? ', NotImplemented' : 'NotImplemented' }],
    };
  }
  const line = `import { NotImplemented } from '${importPath(dstAbs, errorsAbs)}';`;
  if (lastImport) {
    // After the end of the last import's line, so a trailing comment stays where it was.
    const nl = text.indexOf('\n', lastImport.getEnd());
    return nl < 0
      ? { name: 'NotImplemented', edits: [{ start: text.length, end: text.length, text: `\n${line}\n` }] }
      : { name: 'NotImplemented', edits: [{ start: nl + 1, end: nl + 1, text: `${line}\n` }] };
  }
  const first = sf.statements[0];
  const at = first ? first.getStart(sf) : text.length;
  return { name: 'NotImplemented', edits: [{ start: at, end: at, text: `${line}\n\n` }] };
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The header line every generated code file starts with. */
export function headerLine(job: Pick<FileJob, 'tag' | 'sourceStage' | 'file'>): string {
  return `// Generated by \`npm run exercises\` from ${job.sourceStage}/${job.file}: yours to edit (\`npm run reset ${job.tag}\` restores it).`;
}

/** The exercise version of one solution code file. */
export function generateCode(text: string, job: FileJob): { content: string; todos: number } {
  const srcAbs = path.join(job.root, job.sourceStage, job.file);
  const dstAbs = path.join(job.root, job.targetStage, job.file);
  const srcRel = `${job.sourceStage}/${job.file}`;
  const dstRel = `${job.targetStage}/${job.file}`;
  const regions = findRegions(text, srcRel);
  const fill = job.fill ?? (() => false);
  const cut = regions.filter((r) => !fill(r.step));

  const sf = ts.createSourceFile(srcAbs, text, ts.ScriptTarget.Latest, true);
  const sourceStageAbs = path.join(job.root, job.sourceStage);
  const edits: Edit[] = [];
  for (const lit of moduleSpecifiers(sf)) {
    const spec = lit.text;
    if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
    const target = path.resolve(path.dirname(srcAbs), spec);
    if (isInside(target, sourceStageAbs)) continue; // same stage: same layout in the exercise
    const moved = importPath(dstAbs, job.redirect ? job.redirect(target) : target);
    if (moved !== spec) edits.push({ start: lit.getStart(sf) + 1, end: lit.getEnd() - 1, text: moved });
  }
  let ni = 'NotImplemented';
  if (cut.length > 0) {
    const imp = notImplementedImport(sf, text, srcAbs, dstAbs, job.root);
    ni = imp.name;
    edits.push(...imp.edits);
  }
  let edited = text;
  for (const e of edits.sort((a, b) => b.start - a.start))
    edited = edited.slice(0, e.start) + e.text + edited.slice(e.end);

  const lines = edited.split('\n');
  const out: string[] = [];
  if (lines[0]?.startsWith('#!')) out.push(lines.shift()!);
  out.push(headerLine(job));
  let todos = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = START.exec(lines[i]!.replace(/\r$/, ''));
    if (!start) {
      out.push(lines[i]!);
      continue;
    }
    const [, indent, step] = start as unknown as [string, string, string];
    let j = i + 1;
    while (!END.test(lines[j]!.replace(/\r$/, ''))) j++; // findRegions checked that it closes
    if (fill(step)) {
      out.push(...lines.slice(i + 1, j));
    } else {
      out.push(`${indent}// TODO(${job.tag}): ${step}`);
      const where = `${dstRel}:${out.length}`; // the TODO's line, where an editor should jump
      out.push(`${indent}throw new ${ni}(${quote(job.tag)}, ${quote(step)}, ${quote(where)});`);
      todos++;
    }
    i = j;
  }
  return { content: out.join('\n'), todos };
}

export interface GeneratedFile {
  /** Relative to the stage folder. */
  file: string;
  content: Buffer;
  todos: number;
}

export interface StageOptions {
  ws?: Workspace;
  /** Where the stage goes, relative to the root; default exercises/<tag>. */
  target?: string;
  fill?: (step: string, file: string) => boolean;
  /** See FileJob.redirect. */
  redirect?: (target: string) => string;
}

/** Every file of exercises/<tag> as the generator writes it, from solutions/<tag>. */
export function generateStage(tag: string, opts: StageOptions = {}): GeneratedFile[] {
  const ws = opts.ws ?? WORKSPACE;
  const sourceStage = `solutions/${tag}`;
  const targetStage = opts.target ?? `exercises/${tag}`;
  const files = listFiles(path.join(ws.root, sourceStage));
  if (files.length === 0) throw new WorkflowError(`${sourceStage} does not exist or is empty`);
  return files.map((file) => {
    const raw = fs.readFileSync(path.join(ws.root, sourceStage, file));
    if (!CODE_FILE.test(file)) return { file, content: raw, todos: 0 };
    const fill = opts.fill;
    const { content, todos } = generateCode(raw.toString('utf8'), {
      tag,
      root: ws.root,
      sourceStage,
      targetStage,
      file,
      fill: fill && ((step) => fill(step, file)),
      redirect: opts.redirect,
    });
    return { file, content: Buffer.from(content), todos };
  });
}

// ---- comparing with what is on disk, and writing without losing anyone's work ----

export type FileState =
  /** equal to the generated file */
  | 'same'
  /** not there yet */
  | 'missing'
  /** different, but not the learner's work (committed at HEAD, or written by the generator last time) */
  | 'outdated'
  /** different, and the difference is nobody's but the learner's: kept unless --force */
  | 'edited'
  /** not generated from any solution file (a file the solution dropped, or the learner's own) */
  | 'extra'
  | 'extra-edited';

export interface FileStatus {
  /** Relative to the workspace root: exercises/3.1/init.ts */
  path: string;
  state: FileState;
  /** What the generator writes there (absent for extra files). */
  generated?: Buffer;
}

export function isLearnersWork(s: FileStatus): boolean {
  return s.state === 'edited' || s.state === 'extra-edited';
}

/** What the generator wrote last, per file (machine-local; never committed). */
export function lastGeneratedPath(ws: Workspace = WORKSPACE): string {
  return path.join(ws.root, 'node_modules', '.cache', 'mydocker', 'exercises-generated.json');
}

export function readLastGenerated(ws: Workspace = WORKSPACE): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(lastGeneratedPath(ws), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeLastGenerated(record: Record<string, string>, ws: Workspace): void {
  try {
    writeOwned(lastGeneratedPath(ws), JSON.stringify(record, null, 1) + '\n');
  } catch {
    // Only a convenience: without it, regenerating an uncommitted exercise needs --force.
  }
}

export interface Comparison {
  tag: string;
  files: FileStatus[];
  todos: number;
  /** Set when git HEAD could not be read (then every changed file counts as the learner's). */
  gitProblem?: string;
}

/** Compare exercises/<tag> on disk with what the generator writes. */
export function compareStage(tag: string, ws: Workspace = WORKSPACE, head?: HeadFiles): Comparison {
  const generated = generateStage(tag, { ws });
  const stage = `exercises/${tag}`;
  const headNow = head ?? headFiles(ws.root, 'exercises');
  const last = readLastGenerated(ws);
  const safe = (p: string, content: Buffer) => {
    const id = blobId(content);
    return headNow.blobs.get(p) === id || last[p] === id;
  };
  const files: FileStatus[] = [];
  const wanted = new Set<string>();
  for (const g of generated) {
    const p = `${stage}/${g.file}`;
    wanted.add(p);
    let current: Buffer | undefined;
    try {
      current = fs.readFileSync(path.join(ws.root, p));
    } catch {
      current = undefined;
    }
    const state: FileState =
      current === undefined ? 'missing' : current.equals(g.content) ? 'same' : safe(p, current) ? 'outdated' : 'edited';
    files.push({ path: p, state, generated: g.content });
  }
  for (const f of listFiles(path.join(ws.root, stage))) {
    const p = `${stage}/${f}`;
    if (wanted.has(p)) continue;
    files.push({ path: p, state: safe(p, fs.readFileSync(path.join(ws.root, p))) ? 'extra' : 'extra-edited' });
  }
  return { tag, files, todos: generated.reduce((n, g) => n + g.todos, 0), gitProblem: headNow.problem };
}

/** A fresh folder for backups, outside the tracked tree: .mydocker-backup/2026-11-29T01-28-13/ */
export function newBackupDir(ws: Workspace = WORKSPACE): string {
  const stamp = new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  let dir = path.join(ws.root, '.mydocker-backup', stamp);
  for (let n = 2; fs.existsSync(dir); n++) dir = path.join(ws.root, '.mydocker-backup', `${stamp}-${n}`);
  return dir;
}

export interface ApplyResult {
  written: string[];
  removed: string[];
  /** The learner's files left alone (no --force). */
  kept: string[];
  /** Where the learner's files were copied before being replaced (with --force). */
  backup?: string;
}

/**
 * Make exercises/<tag> what the generator writes. The learner's work is kept (and
 * listed) unless `force`; with `force` it is first copied into a backup folder.
 */
export function applyStage(cmp: Comparison, force: boolean, ws: Workspace = WORKSPACE): ApplyResult {
  const res: ApplyResult = { written: [], removed: [], kept: [] };
  const work = cmp.files.filter(isLearnersWork);
  if (force && work.length) {
    res.backup = newBackupDir(ws);
    for (const f of work) {
      const dest = path.join(res.backup, f.path);
      mkdirOwned(path.dirname(dest));
      fs.copyFileSync(path.join(ws.root, f.path), dest);
      ownByInvoker(dest);
    }
  }
  const last = readLastGenerated(ws);
  for (const f of cmp.files) {
    if (f.state === 'same') {
      last[f.path] = blobId(f.generated!);
      continue;
    }
    if (isLearnersWork(f) && !force) {
      res.kept.push(f.path);
      continue;
    }
    const abs = path.join(ws.root, f.path);
    if (f.generated) {
      writeOwned(abs, f.generated);
      last[f.path] = blobId(f.generated);
      res.written.push(f.path);
    } else {
      fs.rmSync(abs, { force: true });
      delete last[f.path];
      res.removed.push(f.path);
      removeEmptyDirs(path.dirname(abs), path.join(ws.root, 'exercises', cmp.tag));
    }
  }
  writeLastGenerated(last, ws);
  return res;
}

function removeEmptyDirs(dir: string, stop: string): void {
  for (let d = dir; d !== stop && isInside(d, stop); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty
    }
  }
}

/** Tags of the registered chapters that have a solution, in book order. */
export function generatableTags(ws: Workspace = WORKSPACE): string[] {
  return ws.chapters.filter((c) => fs.existsSync(path.join(ws.root, 'solutions', c.tag))).map((c) => c.tag);
}

/** Folders under solutions/ that the chapter registry does not list (so nothing is generated for them). */
export function unregisteredSolutions(ws: Workspace = WORKSPACE): string[] {
  let dirs: string[] = [];
  try {
    dirs = fs
      .readdirSync(path.join(ws.root, 'solutions'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  return dirs.filter((d) => !ws.chapters.some((c) => c.tag === d)).sort();
}

/** The differences `--check` reports: one line per file that is not as generated. */
export function driftLines(cmp: Comparison): string[] {
  const why: Record<Exclude<FileState, 'same'>, string> = {
    missing: 'missing',
    outdated: 'differs from what the generator writes',
    edited: 'differs from what the generator writes',
    extra: 'is not generated from any solution file',
    'extra-edited': 'is not generated from any solution file',
  };
  return cmp.files
    .filter((f) => f.state !== 'same')
    .map((f) => `${f.path}: ${why[f.state as Exclude<FileState, 'same'>]}`);
}

/** Write a generated stage somewhere else (the tests' temporary copies). */
export function writeStageCopy(tag: string, target: string, opts: Omit<StageOptions, 'target'> = {}): string {
  const ws = opts.ws ?? WORKSPACE;
  const abs = path.resolve(ws.root, target);
  for (const g of generateStage(tag, { ...opts, target: rel(abs, ws) })) {
    fs.mkdirSync(path.dirname(path.join(abs, g.file)), { recursive: true });
    fs.writeFileSync(path.join(abs, g.file), g.content);
  }
  return abs;
}
