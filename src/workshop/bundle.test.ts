// Unit test of the start path's budget (issue: container start latency). Every Node
// process of a container start (the runtime and the container's init) loads the whole
// stage bundle, so whatever the bundle imports at its top, both pay on every start.
// This test holds the line: a stage bundle's static imports are koffi and a few of
// Node's own modules; everything else (tar, execa, chalk, node:crypto) is loaded where
// it is used. docs/performance.md has the measurements behind each of these.
//
//   node --import tsx node_modules/uvu/bin.js src 'bundle\.test\.ts$'

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleCode, bundleStage } from './bundle.ts';
import { CHAPTERS } from './chapters.ts';
import { REPO } from '../testing/harness.ts';

/** What a start may load: the syscall bindings and the Node modules the flow uses. */
const START_IMPORTS = new Set([
  'koffi',
  'node:child_process',
  'node:fs',
  'node:module',
  'node:os',
  'node:path',
  'node:url',
]);

/**
 * The modules a bundle loads at its top, not through `import()` or a `require` inside a
 * function: esbuild's import lines (an ES module bundle) and its `var import_x = require(…)`
 * lines at the start of a line (a CommonJS bundle, where a package may be named by the path
 * of its file).
 */
function staticImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?$/gm)) found.add(m[1]!);
  for (const m of code.matchAll(
    /^(?:var|let|const) \w+ = (?:__toESM\()?(?:require|__requireNative)\(["']([^"']+)["']/gm,
  )) {
    // A package the build resolved to a file is named by its folder under node_modules.
    found.add(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m[1]!)?.[1] ?? m[1]!);
  }
  return [...found].sort();
}

test('staticImports reads the import lines esbuild writes, and not import()', () => {
  const code = [
    'import { fileURLToPath } from "node:url";',
    'import koffi from "koffi";',
    'import "side-effect";',
    'import {',
    '  a,',
    '  b',
    '} from "multi-line";',
    'const loadTar = () => import("tar");',
    '  const { execa } = await import("execa");',
    'var import_node_fs = require("node:fs");',
    'var import_tar = __toESM(require("tar"), 1);',
    'var import_koffi = __toESM(require("/repo/node_modules/koffi/index.cjs"), 1);',
    'var import_x = __toESM(require("/repo/node_modules/@scope/pkg/index.cjs"), 1);',
    'var import_n = __toESM(__requireNative("/repo/node_modules/native/index.cjs", "/repo/x.node", "1.0"), 1);',
    '  const net = require("node:net");',
  ].join('\n');
  assert.equal(staticImports(code), [
    '@scope/pkg',
    'koffi',
    'multi-line',
    'native',
    'node:fs',
    'node:url',
    'side-effect',
    'tar',
  ]);
});

for (const { tag } of CHAPTERS) {
  const dir = path.join(REPO, 'solutions', tag);
  if (!fs.existsSync(path.join(dir, 'main.ts'))) continue;
  test(`stage ${tag}: a start loads only ${[...START_IMPORTS].join(', ')}`, () => {
    const imports = staticImports(bundleCode(bundleStage(dir)));
    assert.ok(imports.includes('koffi'), `the bundle's imports were not found: ${imports.join(', ')}`);
    const extra = imports.filter((m) => !START_IMPORTS.has(m));
    assert.equal(
      extra,
      [],
      `loaded at every start, by the runtime and by init: ${extra.join(', ')} (load it where it is used; docs/performance.md)`,
    );
  });
}

test.run();
