// Tests of the CI exercise check: drift between exercises/ and the generator is caught,
// and a chapter's run on its untouched exercise passes the check only if some test
// fails and every failing test names a NotImplemented step.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExercises, judge } from './check-exercises.ts';
import { main as exercisesMain } from './exercises.ts';
import { capture, fixtureRepo, read, write } from './test-helpers.ts';
import type { Outcome, TestRun } from './verify.ts';

const NI = {
  name: 'Assertion',
  message: 'mydocker: error: NotImplemented: chapter 1.1, step "x" is still a TODO (exercises/1.1/a.ts:3)',
};
const run = (outcomes: Outcome[], total = outcomes.length): TestRun => ({
  command: 'uvu …',
  outcomes,
  status: 1,
  output: '',
  total,
});
const pass = (name: string): Outcome => ({ file: 'a.test.ts', suite: '', name, ok: true });
const fail = (name: string, error: Outcome['error']): Outcome => ({
  file: 'a.test.ts',
  suite: '',
  name,
  ok: false,
  error,
});

test('part 1: the committed exercises must equal what the generator writes', async () => {
  const ws = fixtureRepo();
  try {
    await capture(() => exercisesMain([], ws));
    assert.is(checkExercises({ ws, generatedOnly: true }).ok, true);
    write(ws, 'solutions/1.1/answer.ts', read(ws, 'solutions/1.1/answer.ts').replace('21', '22'));
    const r = checkExercises({ ws, generatedOnly: true });
    assert.is(r.ok, false);
    assert.match(r.report, /exercises\/1\.1\/answer\.ts: differs/);
  } finally {
    ws.remove();
  }
});

test('part 2: some test fails, and every failure names its NotImplemented step', () => {
  assert.is(judge('1.1', run([fail('a', NI), pass('usage'), fail('b', NI)])).ok, true);
  const vacuous = judge('1.1', run([pass('a'), pass('b')]));
  assert.is(vacuous.ok, false);
  assert.match(vacuous.lines[0]!, /every test passes on the untouched exercise/);
  const silent = judge(
    '1.1',
    run([
      fail('a', NI),
      fail('exit codes', {
        name: 'Assertion',
        message: 'Expected values to be strictly equal:',
        operator: 'is',
        generated: true,
        actual: '125',
        expects: '0',
      }),
    ]),
  );
  assert.is(silent.ok, false);
  assert.match(
    silent.lines.join('\n'),
    /1 of them without the NotImplemented message:\n {4}"exit codes": expected 0, got 125/,
  );
  const crashed = judge('1.1', run([fail('a', NI)], 3));
  assert.is(crashed.ok, false);
  assert.match(crashed.lines[0]!, /did not finish/);
  assert.is(judge('1.1', undefined).ok, false);
});

test.run();
