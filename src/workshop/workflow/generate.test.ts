// Tests of the exercise generator on a fixture repository: markers become a TODO and a
// throw naming the right file:line, imports are re-pointed, --check sees drift, and a
// learner's edits are never overwritten without --force.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main as exercisesMain } from './exercises.ts';
import { checkGenerated } from './exercises.ts';
import { findRegions, generateStage, headerLine } from './generate.ts';
import { capture, fixtureRepo, read, write } from './test-helpers.ts';

const gen = (ws: ReturnType<typeof fixtureRepo>, tag: string) =>
  Object.fromEntries(generateStage(tag, { ws }).map((g) => [g.file, g.content.toString('utf8')]));

test('a marked region becomes a TODO and a throw that names the TODO line', () => {
  const ws = fixtureRepo();
  try {
    const out = gen(ws, '1.1')['answer.ts']!;
    const lines = out.split('\n');
    const todo = lines.findIndex((l) => l.includes('// TODO(1.1): return twice 21'));
    assert.ok(todo > 0, out);
    assert.is(lines[todo], '  // TODO(1.1): return twice 21');
    assert.is(
      lines[todo + 1],
      `  throw new NotImplemented('1.1', 'return twice 21', 'exercises/1.1/answer.ts:${todo + 1}');`,
    );
    assert.not.match(out, /return twice\(21\)/, 'the reference code is still there');
    assert.not.match(out, /exercise:|end exercise/);
    assert.is(lines[0], headerLine({ tag: '1.1', sourceStage: 'solutions/1.1', file: 'answer.ts' }));
    assert.match(lines[0]!, /^\/\/ Generated .* from solutions\/1\.1\/answer\.ts.*yours to edit/);
    assert.match(out, /^import \{ NotImplemented \} from '\.\.\/\.\.\/src\/runtime\/errors\.ts';$/m);
  } finally {
    ws.remove();
  }
});

test('indentation is kept, quotes are escaped, and each TODO names its own line', () => {
  const ws = fixtureRepo();
  try {
    const lines = gen(ws, '1.2')['lib/greet.ts']!.split('\n');
    const first = lines.findIndex((l) => l.includes('TODO(1.2): greet'));
    assert.is(
      lines[first + 1],
      `  throw new NotImplemented('1.2', 'greet \\'name\\' with the prefix', 'exercises/1.2/lib/greet.ts:${first + 1}');`,
    );
    const second = lines.findIndex((l) => l.includes('TODO(1.2): shout it'));
    assert.is(lines[second], '    // TODO(1.2): shout it');
    assert.is(
      lines[second + 1],
      `    throw new NotImplemented('1.2', 'shout it', 'exercises/1.2/lib/greet.ts:${second + 1}');`,
    );
  } finally {
    ws.remove();
  }
});

test('imports that leave the stage point into solutions/; imports inside it and of src/ stay right', () => {
  const ws = fixtureRepo();
  try {
    const files = gen(ws, '1.2');
    const main = files['main.ts']!;
    assert.match(main, /import \{ answer \} from '\.\.\/\.\.\/solutions\/1\.1\/answer\.ts';/);
    assert.match(main, /import \{ greet \} from '\.\/lib\/greet\.ts';/);
    assert.not.match(main, /NotImplemented/, 'a file without regions gets no import');
    const greet = files['lib/greet.ts']!;
    // added to the existing import of errors.ts, not a second import
    assert.match(greet, /import \{ UsageError, NotImplemented \} from '\.\.\/\.\.\/\.\.\/src\/runtime\/errors\.ts';/);
    assert.is(greet.match(/src\/runtime\/errors\.ts/g)!.length, 1);
    assert.match(
      greet,
      /import type \{ answer \} from '\.\.\/\.\.\/\.\.\/solutions\/1\.1\/answer\.ts'; \/\/ a type from the stage below/,
    );
    assert.match(greet, /import\('\.\.\/\.\.\/\.\.\/solutions\/1\.1\/answer\.ts'\)/);
    // every rewritten import resolves to the file the solution imported
    for (const [file, text] of Object.entries(files)) {
      for (const m of text.matchAll(/(?:from |import\()'(\.[^']+)'/g)) {
        const target = path.resolve(ws.root, 'exercises/1.2', path.dirname(file), m[1]!);
        const inStage = path.resolve(
          ws.root,
          'solutions/1.2',
          path.relative(path.join(ws.root, 'exercises/1.2'), target),
        );
        assert.ok(fs.existsSync(target) || fs.existsSync(inStage), `${file}: ${m[1]} leads nowhere`);
      }
    }
  } finally {
    ws.remove();
  }
});

test('NotImplemented is not imported twice, and other files are copied as they are', () => {
  const ws = fixtureRepo();
  try {
    write(
      ws,
      'solutions/1.1/answer.ts',
      read(ws, 'solutions/1.1/answer.ts').replace(
        'import { twice }',
        "import { NotImplemented as NI } from '../../src/runtime/errors.ts';\nimport { twice }",
      ),
    );
    const out = gen(ws, '1.1')['answer.ts']!;
    assert.is(out.match(/NotImplemented/g)!.length, 1, out);
    assert.match(out, /throw new NI\('1\.1'/);
    assert.is(gen(ws, '1.2')['notes.txt'], '// exercise: not a marker in a text file\n');
  } finally {
    ws.remove();
  }
});

test('malformed markers stop the generator with file:line', () => {
  assert.throws(() => findRegions('a\n// exercise: x\nb\n', 'f.ts'), /f\.ts:2: .*never closed/);
  assert.throws(() => findRegions('// end exercise\n', 'f.ts'), /f\.ts:1: "\/\/ end exercise" without/);
  assert.throws(
    () => findRegions('// exercise: a\n// exercise: b\n// end exercise\n', 'f.ts'),
    /f\.ts:2: .*inside the region opened at line 1/,
  );
  assert.throws(() => findRegions('  //exercise: typo\n', 'f.ts'), /f\.ts:1: looks like an exercise marker/);
  assert.throws(() => findRegions('// exercise:\n// end exercise\n', 'f.ts'), /f\.ts:1: .*needs the step's text/);
  assert.equal(findRegions('x\n  // exercise: step one\n  y\n  // end exercise\n', 'f.ts'), [
    { step: 'step one', indent: '  ', start: 2, end: 4 },
  ]);
});

test('fill keeps the reference code of the chosen regions', () => {
  const ws = fixtureRepo();
  try {
    const g = generateStage('1.2', { ws, fill: (step) => step === 'shout it' });
    const greet = g.find((f) => f.file === 'lib/greet.ts')!.content.toString();
    assert.match(greet, /return greet\(name\)\.toUpperCase\(\);/);
    assert.match(greet, /TODO\(1\.2\): greet/);
  } finally {
    ws.remove();
  }
});

test('--check: exit 0 when exercises/ is as generated, 1 listing each file that drifted', async () => {
  const ws = fixtureRepo({ git: true });
  try {
    assert.is((await capture(() => exercisesMain([], ws))).value, 0);
    assert.equal(checkGenerated(['1.1', '1.2'], ws), []);
    const ok = await capture(() => exercisesMain(['--check'], ws));
    assert.is(ok.value, 0, ok.stdout);

    write(ws, 'solutions/1.2/lib/greet.ts', read(ws, 'solutions/1.2/lib/greet.ts').replace('hello', 'hi'));
    fs.rmSync(path.join(ws.root, 'exercises/1.1/main.ts'));
    write(ws, 'exercises/1.1/stray.ts', '');
    const bad = await capture(() => exercisesMain(['--check'], ws));
    assert.is(bad.value, 1);
    assert.match(bad.stdout, /exercises\/1\.2\/lib\/greet\.ts: differs/);
    assert.match(bad.stdout, /exercises\/1\.1\/main\.ts: missing/);
    assert.match(bad.stdout, /exercises\/1\.1\/stray\.ts: is not generated/);
    assert.ok(!fs.existsSync(path.join(ws.root, 'exercises/1.1/main.ts')), '--check wrote something');
  } finally {
    ws.remove();
  }
});

test("the learner's uncommitted edits are kept; outdated files are replaced; --force backs up first", async () => {
  const ws = fixtureRepo({ git: true });
  try {
    await capture(() => exercisesMain([], ws));
    ws.git('add', '-A');
    ws.git('commit', '-qm', 'generated');

    // A solution changes, and the learner has edited a different file of the same stage.
    write(ws, 'solutions/1.2/main.ts', read(ws, 'solutions/1.2/main.ts') + '// more\n');
    const mine = read(ws, 'exercises/1.2/lib/greet.ts').replace(
      "throw new NotImplemented('1.2', 'shout it'",
      "return 'MINE'; //",
    );
    write(ws, 'exercises/1.2/lib/greet.ts', mine);
    write(ws, 'solutions/1.2/lib/greet.ts', read(ws, 'solutions/1.2/lib/greet.ts').replace('hello', 'hi'));

    const r = await capture(() => exercisesMain([], ws));
    assert.is(r.value, 1, 'must say that it kept a file');
    assert.match(r.stdout, /kept exercises\/1\.2\/lib\/greet\.ts/);
    assert.is(read(ws, 'exercises/1.2/lib/greet.ts'), mine, 'the edit was overwritten');
    assert.match(read(ws, 'exercises/1.2/main.ts'), /\/\/ more/, 'the outdated (committed) file was not updated');

    // Regenerating an uncommitted generated file is fine: the generator wrote it itself.
    write(ws, 'solutions/1.2/main.ts', read(ws, 'solutions/1.2/main.ts') + '// even more\n');
    await capture(() => exercisesMain(['1.1'], ws)); // another stage: 1.2 untouched
    assert.not.match(read(ws, 'exercises/1.2/main.ts'), /even more/);
    const again = await capture(() => exercisesMain(['1.2'], ws));
    assert.match(read(ws, 'exercises/1.2/main.ts'), /even more/, again.stdout);

    const forced = await capture(() => exercisesMain(['--force'], ws));
    assert.is(forced.value, 0, forced.stderr);
    const backup = /copied to (\S+)/.exec(forced.stdout)?.[1];
    assert.ok(backup, forced.stdout);
    assert.ok(backup!.startsWith(path.join(ws.root, '.mydocker-backup')), backup);
    assert.is(fs.readFileSync(path.join(backup!, 'exercises/1.2/lib/greet.ts'), 'utf8'), mine);
    assert.match(read(ws, 'exercises/1.2/lib/greet.ts'), /'hi'|hi,/);
    assert.equal(checkGenerated(['1.1', '1.2'], ws), []);
  } finally {
    ws.remove();
  }
});

test('an unknown chapter, or one without a solution, is a usage error', async () => {
  const ws = fixtureRepo();
  try {
    assert.throws(() => exercisesMain(['9.9'], ws), /unknown chapter "9\.9": the chapters are 1\.1, 1\.2/);
    fs.rmSync(path.join(ws.root, 'solutions/1.2'), { recursive: true });
    assert.throws(() => exercisesMain(['1.2'], ws), /chapter 1\.2 has no solution yet/);
  } finally {
    ws.remove();
  }
});

test.run();
