// The learner's progress: the last `npm run verify` result per chapter, kept in
// .mydocker-progress.json at the repository root (git-ignored). Machinery. verify runs
// under sudo, so the file is given to the user who called sudo: a root-owned file in
// their checkout would make the next run without sudo fail.
//
//   { "version": 1, "chapters": { "3.1": { "passed": true, "at": "2026-…Z", "tests": 12, "failed": 0 } } }

import fs from 'node:fs';
import path from 'node:path';
import { ownByInvoker, WORKSPACE, type Workspace } from './common.ts';

export interface VerifyRecord {
  passed: boolean;
  /** When verify ran (ISO 8601). */
  at: string;
  tests: number;
  failed: number;
}

export interface Progress {
  version: 1;
  chapters: Record<string, VerifyRecord>;
}

export function progressPath(ws: Workspace = WORKSPACE): string {
  return path.join(ws.root, '.mydocker-progress.json');
}

/** The saved progress; an unreadable file counts as no progress (it is only a record). */
export function readProgress(ws: Workspace = WORKSPACE): Progress {
  try {
    const p = JSON.parse(fs.readFileSync(progressPath(ws), 'utf8')) as Progress;
    if (p && p.version === 1 && typeof p.chapters === 'object' && p.chapters) return p;
  } catch {
    // missing or damaged: start afresh
  }
  return { version: 1, chapters: {} };
}

/** Save one verify result (atomically: write beside, then rename over). */
export function recordVerify(
  tag: string,
  result: Omit<VerifyRecord, 'at'>,
  ws: Workspace = WORKSPACE,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const progress = readProgress(ws);
  progress.chapters[tag] = { ...result, at: new Date().toISOString() };
  writeProgress(progress, ws, env);
}

/** Forget chapter `tag`'s result (`npm run reset`: the exercise starts over, unverified). */
export function forgetVerify(tag: string, ws: Workspace = WORKSPACE, env: NodeJS.ProcessEnv = process.env): void {
  const progress = readProgress(ws);
  if (!(tag in progress.chapters)) return;
  delete progress.chapters[tag];
  writeProgress(progress, ws, env);
}

function writeProgress(progress: Progress, ws: Workspace, env: NodeJS.ProcessEnv): void {
  const file = progressPath(ws);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(progress, null, 2) + '\n');
  ownByInvoker(tmp, env);
  fs.renameSync(tmp, file);
}
