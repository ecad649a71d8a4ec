// Unit tests of build-cache.mjs: a bundle is rebuilt exactly when a file it was built
// from changed (an edit deep in the imports, a deleted file, other options), and is
// reused otherwise; a source modified around a build never leaves a bundle that looks
// fresh. Real esbuild, real files in a temporary folder inside the repository.
//
//   node --import tsx node_modules/uvu/bin.js src/workshop 'build-cache\.test\.ts$'

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCached, isFresh } from './build-cache.mjs';
import { REPO } from './repo.ts';

const OPTIONS = { bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' } as const;

/** A two-file program written long enough ago that a build records it. */
function program(): { dir: string; entry: string; out: string; remove(): void } {
  fs.mkdirSync(path.join(REPO, 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, 'tmp', 'build-cache-test-'));
  fs.writeFileSync(path.join(dir, 'main.ts'), "import { word } from './deep/word.ts';\nconsole.log(word);\n");
  fs.mkdirSync(path.join(dir, 'deep'));
  fs.writeFileSync(path.join(dir, 'deep/word.ts'), "export const word: string = 'one';\n");
  age(path.join(dir, 'main.ts'), path.join(dir, 'deep/word.ts'));
  return {
    dir,
    entry: path.join(dir, 'main.ts'),
    out: path.join(dir, 'out/main.mjs'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Set the files' modification time a minute back (as if written before this run). */
function age(...files: string[]): void {
  const t = new Date(Date.now() - 60_000);
  for (const f of files) fs.utimesSync(f, t, t);
}

function runOut(out: string): string {
  return spawnSync(process.execPath, [out], { encoding: 'utf8' }).stdout;
}

/** The bundle's inode and mtime: changes when it was rebuilt (renamed into place). */
function built(out: string): string {
  const s = fs.statSync(out, { bigint: true });
  return `${s.ino}:${s.mtimeNs}`;
}

test('reused while nothing changed; an edit in an imported file rebuilds', () => {
  const p = program();
  try {
    buildCached(p.entry, p.out, OPTIONS, REPO);
    assert.is(runOut(p.out), 'one\n');
    const first = built(p.out);
    assert.ok(isFresh(p.out, JSON.stringify({ entry: p.entry, options: OPTIONS })));
    buildCached(p.entry, p.out, OPTIONS, REPO);
    assert.is(built(p.out), first, 'rebuilt though nothing changed');
    fs.writeFileSync(path.join(p.dir, 'deep/word.ts'), "export const word: string = 'two';\n");
    age(path.join(p.dir, 'deep/word.ts')); // an edit with an older time still differs
    buildCached(p.entry, p.out, OPTIONS, REPO);
    assert.is(runOut(p.out), 'two\n');
  } finally {
    p.remove();
  }
});

test('a deleted source or other options rebuild (a deleted import fails to compile)', () => {
  const p = program();
  try {
    buildCached(p.entry, p.out, OPTIONS, REPO);
    const first = built(p.out);
    buildCached(p.entry, p.out, { ...OPTIONS, minify: true }, REPO);
    assert.is.not(built(p.out), first, 'other options reused the bundle');
    fs.rmSync(path.join(p.dir, 'deep/word.ts'));
    assert.throws(() => buildCached(p.entry, p.out, { ...OPTIONS, minify: true }, REPO), /word\.ts/);
  } finally {
    p.remove();
  }
});

test('a source modified just before the build: the bundle is not marked fresh', () => {
  const p = program();
  try {
    fs.writeFileSync(path.join(p.dir, 'deep/word.ts'), "export const word: string = 'new';\n"); // now
    buildCached(p.entry, p.out, OPTIONS, REPO);
    assert.is(runOut(p.out), 'new\n');
    assert.not.ok(isFresh(p.out, JSON.stringify({ entry: p.entry, options: OPTIONS })));
    assert.not.match(fs.readFileSync(p.out, 'utf8'), /mydocker-inputs/);
  } finally {
    p.remove();
  }
});

test.run();
