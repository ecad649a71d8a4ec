// What the learner-facing scripts (verify, hint, diff, reset, chapters, exercises) share.
// Machinery: the repository's layout, looking a chapter up by its tag with a helpful
// message, small argv parsing, one-line failures, and giving files back to the user who
// ran `sudo` (a learner must never end up with root-owned files in their own checkout).

import fs from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { CHAPTERS, chapterDir, chaptersBefore, findChapter, type Chapter } from '../chapters.ts';
import { endQuietlyOnClosedStdout } from '../../runtime/log.ts';
import { REPO } from '../repo.ts';

export { isMain, REPO } from '../repo.ts';

/**
 * The repository the workflow acts on. Always REPO and CHAPTERS for the scripts; the
 * workflow's own tests point it at a fixture repository in a temporary directory.
 */
export interface Workspace {
  root: string;
  chapters: readonly Chapter[];
}

export const WORKSPACE: Workspace = { root: REPO, chapters: CHAPTERS };

/** A failure the user can act on: printed as one line, no stack, with this exit code. */
export class WorkflowError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** Usage errors exit 125, as the runtime's own do (Docker's convention). */
export const USAGE = 125;

export function knownTags(ws: Workspace = WORKSPACE): string {
  return ws.chapters.map((c) => c.tag).join(', ');
}

/** The chapter with this tag, or a WorkflowError listing the known ones. */
export function chapterOf(tag: string | undefined, script: string, ws: Workspace = WORKSPACE): Chapter {
  if (!tag) throw new WorkflowError(`usage: npm run ${script} <chapter>   (chapters: ${knownTags(ws)})`, USAGE);
  const c = findChapter(tag, ws.chapters);
  if (!c) throw new WorkflowError(`unknown chapter "${tag}": the chapters are ${knownTags(ws)}`, USAGE);
  return c;
}

/** Chapters before `tag`, in book order. */
export function earlierChapters(tag: string, ws: Workspace = WORKSPACE): Chapter[] {
  return chaptersBefore(tag, ws.chapters);
}

export function solutionDir(tag: string, ws: Workspace = WORKSPACE): string {
  return path.join(ws.root, 'solutions', tag);
}

export function exerciseDir(tag: string, ws: Workspace = WORKSPACE): string {
  return path.join(ws.root, 'exercises', tag);
}

/** chapters/<tag>-<slug>, absolute. */
export function chapterFolder(c: Chapter, ws: Workspace = WORKSPACE): string {
  return path.join(ws.root, chapterDir(c));
}

/** `p` relative to the workspace root, for messages: exercises/3.1/init.ts */
export function rel(p: string, ws: Workspace = WORKSPACE): string {
  return path.relative(ws.root, p) || '.';
}

/** Every file under `dir` (relative paths, '/'-separated, sorted); [] if there is no dir. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/**
 * Split argv into positional arguments and the boolean flags in `known`. npm turns
 * `npm run verify 3.1 --previous` (without `--`) into the environment variable
 * npm_config_previous=true instead of passing the flag on, so that spelling works too.
 */
export function parseArgs(argv: string[], known: string[], script: string): { args: string[]; flags: Set<string> } {
  const flags = new Set<string>();
  const args: string[] = [];
  for (const a of argv) {
    if (a.startsWith('--')) {
      const name = a.slice(2);
      if (!known.includes(name)) {
        const list = known.length ? known.map((k) => `--${k}`).join(', ') : 'none';
        throw new WorkflowError(`npm run ${script}: unknown option ${a} (options: ${list})`, USAGE);
      }
      flags.add(name);
    } else {
      args.push(a);
    }
  }
  for (const k of known) {
    if (process.env[`npm_config_${k.replace(/-/g, '_')}`] === 'true') flags.add(k);
  }
  return { args, flags };
}

/**
 * Under `sudo`, files the workflow creates would belong to root and the learner could
 * not edit or delete them afterwards: give them to the user who called sudo.
 */
export function ownByInvoker(p: string, env: NodeJS.ProcessEnv = process.env): void {
  if (process.getuid?.() !== 0 || !env.SUDO_UID) return;
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID ?? env.SUDO_UID);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return;
  fs.chownSync(p, uid, gid);
}

/** mkdir -p, with every directory it creates given to the invoking user. */
export function mkdirOwned(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  fs.mkdirSync(dir, { recursive: true });
  for (const d of missing) ownByInvoker(d, env);
}

/** Write a file (making its directory), owned by the invoking user. */
export function writeOwned(file: string, content: string | Buffer, env: NodeJS.ProcessEnv = process.env): void {
  mkdirOwned(path.dirname(file), env);
  fs.writeFileSync(file, content);
  ownByInvoker(file, env);
}

/** Run a script's main: a WorkflowError becomes one red line and its exit code, never a stack. */
export async function runScript(main: () => Promise<number> | number): Promise<void> {
  endQuietlyOnClosedStdout();
  try {
    process.exitCode = await main();
  } catch (err) {
    if (err instanceof WorkflowError) {
      process.stderr.write(`${chalk.red('error:')} ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      // A bug in the workflow itself: here the stack is what a maintainer needs.
      process.stderr.write(`${chalk.red('internal error:')} ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 2;
    }
  }
}
