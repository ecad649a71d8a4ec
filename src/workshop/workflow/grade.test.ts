// Tests of `npm run grade`'s own parts: a test that never ends is stopped by the per-test
// timeout (the run ends, the chapter fails and the report says after which test), and
// usage errors exit 125 with one line. grade on real chapters, in a handout, is tested
// in handout.test.ts.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO } from './common.ts';
import { chapterResult, main } from './grade.ts';
import { capture, repoTemp } from './test-helpers.ts';
import { runPassed, runTests } from './verify.ts';

test('a test that never ends is stopped after the per-test timeout, and the chapter fails', async () => {
  const tmp = repoTemp();
  try {
    const chapter = { tag: '9.1', slug: 'hang', title: 'A test that hangs' };
    // A workspace of its own whose tools and packages are this checkout's.
    fs.symlinkSync(path.join(REPO, 'src'), path.join(tmp.dir, 'src'));
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(tmp.dir, 'node_modules'));
    fs.mkdirSync(path.join(tmp.dir, 'chapters/9.1-hang'), { recursive: true });
    fs.writeFileSync(
      path.join(tmp.dir, 'chapters/9.1-hang/hang.test.ts'),
      `import { test } from 'uvu';
test('ends', () => {});
test('hangs', () => new Promise(() => setInterval(() => {}, 1000)));
test('never reached', () => {});
test.run();
`,
    );
    const ws = { root: tmp.dir, chapters: [chapter] };
    const t0 = Date.now();
    const run = await runTests([chapter], tmp.dir, () => {}, ws, { testTimeoutMs: 1500 });
    const took = Date.now() - t0;
    assert.ok(took < 12_000, `the run took ${took} ms`);
    assert.is(run.timedOut, 1500);
    assert.equal(
      run.outcomes.map((o) => [o.name, o.ok]),
      [['ends', true]],
    );
    assert.not.ok(runPassed(run));
    const r = chapterResult(chapter, 'exercises/9.1', run, took / 1000);
    assert.is(r.passed, false);
    assert.match(r.unfinished ?? '', /no test ended within 1\.5 s after "ends": stopped/);
  } finally {
    tmp.remove();
  }
});

test('usage errors exit 125 with one line', async () => {
  for (const [argv, message] of [
    [['9.9'], /unknown chapter "9\.9"/],
    [['--timeout', 'soon'], /--timeout needs a number of seconds/],
    [['--bogus'], /unknown option --bogus/],
  ] as const) {
    const r = await capture(async () => {
      try {
        return await main([...argv]);
      } catch (err) {
        return [(err as { exitCode?: number }).exitCode, (err as Error).message] as const;
      }
    });
    assert.equal(Array.isArray(r.value) ? r.value[0] : r.value, 125, argv.join(' '));
    assert.match(String((r.value as readonly unknown[])[1]), message);
  }
});

test.run();
