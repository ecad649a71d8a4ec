// Chapter 5.8 tests: -e KEY=VALUE sets the container's environment exactly (repeatable,
// the last wins, over Docker's defaults), is checked before anything starts, the command
// is found on the container's PATH, and `exec` starts its commands with the same
// environment. Nothing of the host's environment leaks in unless asked for.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest, runCli, uniqueName } from '../../src/testing/harness.ts';
import { killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.8', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = (args: string[], env?: NodeJS.ProcessEnv) => runCli(STAGE, args, { root: t.root, env });
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);
/** The container's environment as printed by `env`, without what sh adds itself. */
const envOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l && !/^(PWD|SHLVL|_)=/.test(l))
    .sort();

test('-e sets variables exactly: spaces, "=", unicode, empty values; the last one wins', async () => {
  const r = await mydocker([
    'run',
    '-e',
    'A=1',
    '-e',
    'B=two words',
    '-e',
    'C=x=y',
    '-e',
    'D=',
    '-e',
    'E=ü 🐳',
    '-e',
    'A=2',
    'env',
  ]);
  assert.is(r.code, 0, r.stderr);
  const env = envOf(r.stdout).filter((l) => !l.startsWith('TERM='));
  assert.equal(env, [
    'A=2',
    'B=two words',
    'C=x=y',
    'D=',
    'E=ü 🐳',
    'HOME=/root',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ]);
});

test('the default PATH, replaced by -e PATH=, which is where the command is looked up', async () => {
  const def = await mydocker(['run', 'sh', '-c', 'echo $PATH']);
  assert.is(def.stdout, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n', def.stderr);
  const own = await mydocker(['run', '-e', 'PATH=/bin', '/usr/bin/env']);
  assert.equal(
    own.stdout.split('\n').filter((l) => l.startsWith('PATH=')),
    ['PATH=/bin'],
    own.stderr,
  );
  const nowhere = await mydocker(['run', '-e', 'PATH=/nowhere', 'ls']);
  assert.is(nowhere.code, 127, nowhere.stderr);
  assert.match(nowhere.stderr, /ls: executable file not found in PATH \(\/nowhere\)/);
});

test("the host's environment stays out, except a -e KEY that asks for it", async () => {
  const host = { MYDOCKER_TEST_SECRET: 'from-the-host' };
  const plain = await mydocker(['run', 'env'], host);
  assert.is(plain.code, 0, plain.stderr);
  assert.not.match(plain.stdout, /MYDOCKER/);
  const asked = await mydocker(['run', '-e', 'MYDOCKER_TEST_SECRET', '-e', 'MYDOCKER_TEST_UNSET', 'env'], host);
  assert.is(asked.code, 0, asked.stderr);
  assert.match(asked.stdout, /^MYDOCKER_TEST_SECRET=from-the-host$/m);
  assert.not.match(asked.stdout, /MYDOCKER_TEST_UNSET/);
});

test('exec runs with the container’s environment', async () => {
  const m = uniqueName('env');
  const r = await mydocker([
    'run',
    '-d',
    '--name',
    'e',
    '-e',
    'GREETING=hello there',
    '-e',
    'PATH=/bin:/usr/bin',
    'sh',
    '-c',
    `sleep 1000; : ${m}`,
  ]);
  assert.is(r.code, 0, r.stderr);
  await waitForDetachedProcess(m, 'sh');
  const ex = await mydocker(['exec', 'e', 'env'], { MYDOCKER_TEST_SECRET: 'x' });
  assert.is(ex.code, 0, ex.stderr);
  // Exactly the container's variables: nothing of the host's (its PWD included).
  const env = ex.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('TERM='))
    .sort();
  assert.equal(env, ['GREETING=hello there', 'HOME=/root', 'PATH=/bin:/usr/bin']);
  expectCode(await mydocker(['rm', '-f', 'e']), 0);
  assertHostClean(t.before);
});

test('bad -e specs exit 125 before anything is created', async () => {
  for (const spec of ['', '=x', '1A=x', 'A B=x', 'A-B=x']) {
    const r = await mydocker(['run', '-e', spec, 'true']);
    assert.is(r.code, 125, `-e '${spec}': ${r.stderr}`);
    assert.match(r.stderr, /invalid -e/);
  }
  const none = await mydocker(['run', '-e']);
  assert.is(none.code, 125, none.stderr);
  assert.match(none.stderr, /needs a value/);
  assertHostClean(t.before);
});

test.run();
