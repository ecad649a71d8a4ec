// Helpers for the workflow's own tests (machinery): a small fixture repository with two
// stages in a temporary directory, temporary copies of real stages inside the repository
// (so their relative imports resolve), and capturing what a script prints.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, type Workspace } from './common.ts';

export const FIXTURE_CHAPTERS = [
  { tag: '1.1', slug: 'first', title: 'The first stage' },
  { tag: '1.2', slug: 'second', title: 'The second stage' },
];

/** The files of the fixture repository, by path. */
export const FIXTURE: Record<string, string> = {
  'src/runtime/errors.ts': `export class UsageError extends Error {}
export class NotImplemented extends Error {
  constructor(readonly chapter: string, readonly step: string, readonly where: string) {
    super(\`NotImplemented: chapter \${chapter}, step "\${step}" is still a TODO (\${where})\`);
  }
}
`,
  'src/util.ts': 'export const twice = (n: number): number => 2 * n;\n',
  'solutions/1.1/main.ts': `// Stage 1.1's entry.
import { answer } from './answer.ts';

console.log(answer());
`,
  'solutions/1.1/answer.ts': `// Stage 1.1: the answer.
import { twice } from '../../src/util.ts';

export function answer(): number {
  // exercise: return twice 21
  return twice(21);
  // end exercise
}
`,
  'solutions/1.2/main.ts': `// Stage 1.2's entry: the answer and a greeting.
import { answer } from '../1.1/answer.ts';
import { greet } from './lib/greet.ts';

console.log(answer(), greet("it's me"));
`,
  'solutions/1.2/lib/greet.ts': `// Stage 1.2: greetings. An import of errors.ts already there gets NotImplemented added.
import { UsageError } from '../../../src/runtime/errors.ts';
import type { answer } from '../../1.1/answer.ts'; // a type from the stage below

export type Answer = typeof answer;
export const loadLater = () => import('../../1.1/answer.ts');

export function greet(name: string): string {
  if (!name) throw new UsageError('no name');
  const prefix = 'hello';
  // exercise: greet 'name' with the prefix
  return \`\${prefix}, \${name}\`;
  // end exercise
}

export function shout(name: string): string {
    // exercise: shout it
    return greet(name).toUpperCase();
    // end exercise
}
`,
  'solutions/1.2/notes.txt': '// exercise: not a marker in a text file\n',
};

function git(root: string, ...args: string[]): string {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fixture repository in a fresh temporary directory, optionally a git repository. */
export function fixtureRepo(
  opts: { git?: boolean } = {},
): Workspace & { git: (...args: string[]) => string; remove: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-workflow-'));
  for (const [p, text] of Object.entries(FIXTURE)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  if (opts.git) git(root, 'init', '-q');
  return {
    root,
    chapters: FIXTURE_CHAPTERS,
    git: (...args) => git(root, ...args),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** A temporary folder inside the repository (git-ignored tmp/), for stage copies whose imports must resolve. */
export function repoTemp(): { dir: string; remove: () => void } {
  fs.mkdirSync(path.join(REPO, 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, 'tmp', 'workflow-test-'));
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      // the bundles src/workshop/bundle.ts made of stages in there
      fs.rmSync(path.join(REPO, 'node_modules/.cache/mydocker', path.relative(REPO, dir)), {
        recursive: true,
        force: true,
      });
    },
  };
}

const ANSI = new RegExp(String.raw`\x1b\[[0-9;]*m`, 'g');
export const plain = (s: string): string => s.replace(ANSI, '');

/** Run `fn` with process.stdout/stderr captured (colors removed). */
export async function capture<T>(fn: () => T | Promise<T>): Promise<{ value: T; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)),
    true
  )) as typeof process.stderr.write;
  try {
    const value = await fn();
    // Colors off: uvu sets FORCE_COLOR, so chalk would color what the tests match.
    return { value, stdout: plain(stdout), stderr: plain(stderr) };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export const read = (ws: Workspace, p: string): string => fs.readFileSync(path.join(ws.root, p), 'utf8');
export const write = (ws: Workspace, p: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(ws.root, p)), { recursive: true });
  fs.writeFileSync(path.join(ws.root, p), text);
};
