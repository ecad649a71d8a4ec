// Tests of `npm run diff`: a file is compared with its base — the one its `// base:`
// line names, else the same path in the nearest earlier stage — and the chapter's own
// exercise regions are shown without their code unless --solution is given.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main as diffMain, stageChanges, withoutSolutions } from './diff.ts';
import { capture, fixtureRepo, write } from './test-helpers.ts';

test('a file is compared with the same path in the nearest earlier stage, or shown as new', () => {
  const ws = fixtureRepo();
  try {
    write(ws, 'solutions/1.2/answer.ts', '// Stage 1.2: a changed answer.\nexport const answer = () => 43;\n');
    const changes = stageChanges('1.2', ws);
    assert.equal(
      changes.find((c) => c.file === 'answer.ts'),
      { file: 'answer.ts', base: 'solutions/1.1/answer.ts' },
    );
    assert.equal(
      changes.find((c) => c.file === 'lib/greet.ts'),
      { file: 'lib/greet.ts', base: undefined },
    );
  } finally {
    ws.remove();
  }
});

test('a `// base:` line in the header names the file a copy began as', async () => {
  const ws = fixtureRepo();
  try {
    write(
      ws,
      'solutions/1.2/louder.ts',
      '// Stage 1.2: the answer, louder.\n//\n// base: ../1.1/answer.ts\n\nexport const louder = () => 42 * 2;\n',
    );
    assert.equal(
      stageChanges('1.2', ws).find((c) => c.file === 'louder.ts'),
      { file: 'louder.ts', base: 'solutions/1.1/answer.ts' },
    );
    const r = await capture(() => diffMain(['1.2'], ws));
    assert.match(r.stdout, /changed {2}louder\.ts {2}\(was solutions\/1\.1\/answer\.ts\)/);
    assert.match(r.stdout, /--- a\/solutions\/1\.1\/answer\.ts\n\+\+\+ b\/solutions\/1\.2\/louder\.ts/);
    write(ws, 'solutions/1.2/louder.ts', '// base: ../1.1/nowhere.ts\n');
    const bad = await capture(() => diffMain(['1.2'], ws)).catch((err: Error) => err);
    assert.instance(bad, Error);
    assert.match((bad as Error).message, /names its base solutions\/1\.1\/nowhere\.ts, which does not exist/);
  } finally {
    ws.remove();
  }
});

test("the chapter's exercise regions are shown without their code; --solution shows it", async () => {
  const ws = fixtureRepo();
  try {
    const hidden = await capture(() => diffMain(['1.2'], ws));
    assert.match(
      hidden.stdout,
      /\+ {4}\/\/ exercise: shout it\n\+ {4}\/\/ … your code \(npm run diff 1\.2 -- --solution shows the reference\)\n\+ {4}\/\/ end exercise/,
    );
    assert.not.match(hidden.stdout, /toUpperCase/);
    const shown = await capture(() => diffMain(['1.2', '--solution'], ws));
    assert.match(shown.stdout, /\+ {4}return greet\(name\)\.toUpperCase\(\);/);
  } finally {
    ws.remove();
  }
});

test('withoutSolutions keeps the markers and every line outside the regions', () => {
  const text = 'a\n  // exercise: step one\n  one();\n  two();\n  // end exercise\nb\n';
  assert.is(
    withoutSolutions(text, '9.9', 'x.ts'),
    'a\n  // exercise: step one\n  // … your code (npm run diff 9.9 -- --solution shows the reference)\n  // end exercise\nb\n',
  );
});

test.run();
