// Precompiling a stage. Machinery: a container start runs Node twice (the runtime, and
// the runtime again as the container's init), and loading the TypeScript loader costs
// more than the rest of the start together. So the runner and the tests bundle a stage
// with esbuild into one plain .mjs (npm packages stay external, found in node_modules)
// and run that. The bundle is rebuilt (about 50 ms) only when a file it was built from
// changed (build-cache.mjs: esbuild's metafile inputs, their size and time), so a
// learner's edit is always what runs; nothing stale is ever started.
//
//   node_modules/.cache/mydocker/<solutions|exercises>/<tag>/main.mjs

import path from 'node:path';
import { buildCached, NODE_BUNDLE } from './build-cache.mjs';
import { REPO } from './repo.ts';

const CACHE = path.join(REPO, 'node_modules/.cache/mydocker');

/** Bundle `<stageDir>/main.ts` and return the path of the .mjs to run. */
export function bundleStage(stageDir: string): string {
  const rel = path.relative(REPO, path.resolve(stageDir)); // e.g. solutions/4.3
  return bundleFile(path.join(REPO, rel, 'main.ts'), path.join(rel, 'main.mjs'));
}

/** Bundle one TypeScript entry point into the cache as `outRel`; returns its path. */
export function bundleFile(entry: string, outRel: string): string {
  return buildCached(entry, path.join(CACHE, outRel), NODE_BUNDLE, REPO);
}
