// Precompiling a stage. Machinery: a container start runs Node twice (the runtime, and
// the runtime again as the container's init), and loading the TypeScript loader costs
// more than the rest of the start together. So the runner and the tests bundle a stage
// with esbuild (npm packages stay external, found in node_modules) and run that. The
// bundle is rebuilt (about 50 ms) only when a file it was built from changed
// (build-cache.mjs: esbuild's metafile inputs, their size and time), so a learner's edit
// is always what runs; nothing stale is ever started.
//
//   node_modules/.cache/mydocker/<solutions|exercises>/<tag>/main.cjs    what Node starts:
//                                                    launch.cjs, the same for every stage
//   node_modules/.cache/mydocker/<solutions|exercises>/<tag>/bundle.cjs  the stage, one
//                                                    CommonJS script, and its V8 code cache
//
// A CommonJS script rather than an ES module: Node's ES module loader costs each process
// a few milliseconds more, and only a script can be compiled with a code cache on Node 20
// (docs/performance.md). An entry that keeps a top-level await other than main.ts's
// `await runMain(…)` is bundled as an ES module (main.mjs) instead, without the cache.

import fs from 'node:fs';
import path from 'node:path';
import { buildCached, NODE_BUNDLE, NODE_CJS_BUNDLE } from './build-cache.mjs';
import { REPO } from './repo.ts';

const CACHE = path.join(REPO, 'node_modules/.cache/mydocker');
const LAUNCHER = path.join(REPO, 'src/workshop/launch.cjs');

/** Bundle `<stageDir>/main.ts` and return the path of the file to run with node. */
export function bundleStage(stageDir: string): string {
  const rel = path.relative(REPO, path.resolve(stageDir)); // e.g. solutions/4.3
  return bundleFile(path.join(REPO, rel, 'main.ts'), rel);
}

/**
 * Bundle one TypeScript entry point into the cache folder `outDirRel`; returns the path of
 * the file to run with node (main.cjs, or main.mjs for an entry CommonJS cannot hold).
 */
export function bundleFile(entry: string, outDirRel: string): string {
  const dir = path.join(CACHE, outDirRel);
  try {
    buildCached(entry, path.join(dir, 'bundle.cjs'), NODE_CJS_BUNDLE, REPO, 'stage-script');
  } catch (err) {
    if (!/Top-level await is currently not supported/.test(String((err as Error)?.message))) throw err;
    return buildCached(entry, path.join(dir, 'main.mjs'), NODE_BUNDLE, REPO);
  }
  const main = path.join(dir, 'main.cjs');
  const launcher = fs.readFileSync(LAUNCHER, 'utf8');
  let current: string | undefined;
  try {
    current = fs.readFileSync(main, 'utf8');
  } catch {
    // first build in this folder
  }
  if (current !== launcher) {
    const tmp = `${main}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, launcher);
    fs.renameSync(tmp, main);
  }
  return main;
}

/** The code of the bundle that `bundleStage` returned `main` for (the launcher's bundle.cjs). */
export function bundleCode(main: string): string {
  const file = main.endsWith('main.cjs') ? path.join(path.dirname(main), 'bundle.cjs') : main;
  return fs.readFileSync(file, 'utf8');
}
