// Unit tests of the stage launcher (launch.cjs) and the CommonJS stage bundle it runs
// (bundle.ts, build-cache.mjs REWRITES): the code that runs is always the bundle as it is
// now, whatever the code cache holds; a cache V8 rejects is replaced; the bundle keeps an
// ES module's meaning (import.meta.url, default and named imports, import()); Node
// modules imported by name load on first use; koffi loads as its native module. Real
// esbuild, real Node processes.
//
//   node --import tsx node_modules/uvu/bin.js src/workshop 'launch\.test\.ts$'

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleFile } from './bundle.ts';
import { REPO } from './repo.ts';

const PROGRAM = `
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { word } from './word.ts';

async function runMain(url: string): Promise<void> {
  const early = process.moduleLoadList.includes('NativeModule child_process');
  const { default: os } = await import('node:os');
  console.log([word, url.endsWith('/main.cjs'), typeof fs.readFileSync, early, typeof os.cpus, spawnSync('true').status].join(' '));
}

await runMain(import.meta.url);
`;

/** A program in a temporary folder, written a minute ago (so that a build records it), and its cache folder. */
function program(): { dir: string; out: string; remove(): void } {
  fs.mkdirSync(path.join(REPO, 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, 'tmp', 'launch-test-'));
  fs.writeFileSync(path.join(dir, 'main.ts'), PROGRAM);
  setWord(dir, 'one');
  const out = path.join('test', path.basename(dir));
  return {
    dir,
    out,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(path.join(REPO, 'node_modules/.cache/mydocker', out), { recursive: true, force: true });
    },
  };
}

function setWord(dir: string, word: string): void {
  fs.writeFileSync(path.join(dir, 'word.ts'), `export const word: string = '${word}';\n`);
  const t = new Date(Date.now() - 60_000);
  for (const f of ['main.ts', 'word.ts']) fs.utimesSync(path.join(dir, f), t, t);
}

function run(main: string): string {
  const r = spawnSync(process.execPath, [main], { encoding: 'utf8' });
  assert.is(r.stderr, '', 'the launcher wrote to stderr');
  return r.stdout.trim();
}

/** The cache file's first line (what bundle it belongs to) and its inode. */
function cacheOf(main: string): { stamp: string; ino: bigint } {
  const file = path.join(path.dirname(main), 'bundle.cjs.v8');
  const text = fs.readFileSync(file, 'latin1');
  return { stamp: text.slice(0, text.indexOf('\n')), ino: fs.statSync(file, { bigint: true }).ino };
}

test('an ES module entry runs as a CommonJS script with the same meaning; child_process loads on first use', () => {
  const p = program();
  try {
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    assert.ok(main.endsWith('/main.cjs'), main);
    assert.is(run(main), 'one true function false function 0');
  } finally {
    p.remove();
  }
});

test('the first run writes the code cache, later runs use it; a rebuilt bundle runs as it is now and gets a cache of its own', () => {
  const p = program();
  try {
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    run(main);
    const first = cacheOf(main);
    assert.is(run(main), 'one true function false function 0');
    assert.equal(cacheOf(main), first, 'a cache that fits was written again');
    setWord(p.dir, 'two');
    bundleFile(path.join(p.dir, 'main.ts'), p.out);
    assert.is(run(main), 'two true function false function 0', 'the old code ran');
    assert.is.not(cacheOf(main).stamp, first.stamp, 'the cache still names the old bundle');
  } finally {
    p.remove();
  }
});

test('a cache V8 rejects (here: garbage under the right first line) is not used and is written again', () => {
  const p = program();
  try {
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    run(main);
    const { stamp } = cacheOf(main);
    fs.writeFileSync(path.join(path.dirname(main), 'bundle.cjs.v8'), `${stamp}\n${'x'.repeat(4096)}`);
    assert.is(run(main), 'one true function false function 0');
    const cache = fs.readFileSync(path.join(path.dirname(main), 'bundle.cjs.v8'), 'latin1');
    assert.not.ok(cache.endsWith('x'.repeat(64)), 'the rejected cache was kept');
  } finally {
    p.remove();
  }
});

test('a process that changed its V8 flags while it ran (and says so) writes no cache: later starts would reject it', () => {
  const p = program();
  try {
    fs.appendFileSync(
      path.join(p.dir, 'main.ts'),
      "(globalThis as Record<symbol, unknown>)[Symbol.for('mydocker.v8FlagsChanged')] = true;\n",
    );
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    assert.is(run(main), 'one true function false function 0');
    assert.not.ok(fs.existsSync(path.join(path.dirname(main), 'bundle.cjs.v8')), 'a cache was written');
  } finally {
    p.remove();
  }
});

test('an entry with another top-level await is bundled as an ES module instead', () => {
  const p = program();
  try {
    fs.appendFileSync(path.join(p.dir, 'main.ts'), 'await Promise.resolve();\n');
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    assert.ok(main.endsWith('/main.mjs'), main);
    assert.is(run(main), 'one false function true function 0');
  } finally {
    p.remove();
  }
});

// As in a stage, koffi is imported by a module the entry imports (src/runtime/sys.ts).
const KOFFI_PROGRAM = `
import { getpid } from './ffi.ts';

async function runMain(): Promise<void> {
  const viaPackage = Object.keys(require.cache).some((f) => f.endsWith('/koffi/index.cjs'));
  console.log([getpid() === process.pid, viaPackage].join(' '));
}

await runMain();
`;
const KOFFI_MODULE = `
import koffi from 'koffi';

export const getpid = koffi.load('libc.so.6').func('int getpid()');
`;

test("koffi is loaded as its native module, by path; if that file is gone, through koffi's package", () => {
  const p = program();
  try {
    fs.writeFileSync(path.join(p.dir, 'main.ts'), KOFFI_PROGRAM);
    fs.writeFileSync(path.join(p.dir, 'ffi.ts'), KOFFI_MODULE);
    const t = new Date(Date.now() - 60_000);
    for (const f of ['main.ts', 'ffi.ts']) fs.utimesSync(path.join(p.dir, f), t, t);
    const main = bundleFile(path.join(p.dir, 'main.ts'), p.out);
    assert.is(run(main), 'true false');
    const bundle = path.join(path.dirname(main), 'bundle.cjs');
    const code = fs.readFileSync(bundle, 'utf8');
    const native = /__requireNative\("[^"]+", "([^"]+\.node)", "[^"]+"\)/.exec(code)?.[1];
    assert.ok(native && fs.existsSync(native), 'the bundle names no native module that exists');
    fs.writeFileSync(bundle, code.replace(native, native.replace(/\.node$/, '-gone.node')));
    assert.is(run(main), 'true true');
  } finally {
    p.remove();
  }
});

test.run();
