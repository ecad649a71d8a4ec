// What `npm run chapter|lab` starts: runner.ts without the TypeScript loader. Machinery.
// Loading tsx costs node about 240 ms, more than the stage's own run; so runner.ts is
// bundled by esbuild into plain JavaScript, rebuilt only when one of its sources changed
// (build-cache.mjs), and its run() is called here. The stage's bundle is cached the same
// way by runner.ts itself.
//
//   node src/workshop/runner.mjs solutions|exercises TAG [ARGS...]

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCached, buildFailure, NODE_BUNDLE } from './build-cache.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const SOURCE = path.join(HERE, 'runner.ts');

let bundle;
try {
  bundle = buildCached(
    SOURCE,
    path.join(REPO, 'node_modules/.cache/mydocker/runner.mjs'),
    {
      ...NODE_BUNDLE,
      // The runner finds the repository (repo.ts) and chalk (log.ts) from its own
      // location: as if it still ran from src/workshop/runner.ts.
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(SOURCE).href) },
    },
    REPO,
  );
} catch (err) {
  // esbuild's errors (err.errors) name file:line:column of what does not compile; any
  // other (an unwritable cache, say) is said as it is.
  const msg = buildFailure(err);
  const what = Array.isArray(err?.errors) ? 'src/workshop/runner.ts does not compile' : 'could not build the runner';
  process.stderr.write(`mydocker: error: ${what}: ${msg}\n`);
  process.exit(125);
}
const { run } = await import(pathToFileURL(bundle).href);
await run();
