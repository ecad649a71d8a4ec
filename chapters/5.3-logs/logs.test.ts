// Chapter 5.3 tests: `logs` prints what a detached container wrote to stdout and stderr,
// in order, complete, also after it ended; `logs -f` follows the log until the container
// ends. A foreground container has no log; an unknown one is an error.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collect, perTest, runCli, startCli, uniqueName, waitFor } from '../../src/testing/harness.ts';
import { processIdentity } from '../../src/runtime/leftovers.ts';
import { killAllContainers, statOf, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.3', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);

/** Wait until `ps` shows container `name` as exited. */
async function waitExited(name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ps = await mydocker(['ps']);
    if (ps.stdout.split('\n').some((l) => l.split(/\s{2,}/)[1] === name && / exited/.test(` ${l.split(/\s{2,}/)[3]}`)))
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.unreachable(`container ${name} did not exit`);
}

// The two streams are two pipes the monitor reads (5.1): writes to both closer together
// than it reads may come out grouped by stream, so the writes here are a moment apart.
test('logs prints stdout and stderr in order, after the container ended', async () => {
  const r = await mydocker([
    'run',
    '-d',
    '--name',
    'talker',
    'sh',
    '-c',
    'echo out 1; sleep 0.2; echo err 2 >&2; sleep 0.2; echo out 3',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim().length, 12, 'run -d printed the container output');
  await waitExited('talker');
  const logs = await mydocker(['logs', 'talker']);
  assert.is(logs.code, 0, logs.stderr);
  assert.is(logs.stdout, 'out 1\nerr 2\nout 3\n');
  // By id too.
  assert.is((await mydocker(['logs', r.stdout.trim()])).stdout, 'out 1\nerr 2\nout 3\n');
});

test('logs --stdout and --stderr tell the streams apart, each in order; -f follows one', async () => {
  // Through /dev/stdout and /dev/stderr too: the command sees pipes, which can be opened.
  const script =
    'sleep 0.5; echo out 1; sleep 0.2; echo err 2 >&2; sleep 0.2; echo out 3 >/dev/stdout; sleep 0.2; ' +
    'echo err 4 >/dev/stderr; sleep 0.2; [ -p /proc/self/fd/1 ] && [ -p /proc/self/fd/2 ] && echo pipes';
  expectCode(await mydocker(['run', '-d', '--name', 'two', 'sh', '-c', script]), 0);
  const [followOut, followErr] = await Promise.all([
    mydocker(['logs', '-f', '--stdout', 'two']),
    mydocker(['logs', '-f', '--stderr', 'two']),
  ]);
  assert.is(followOut.stdout, 'out 1\nout 3\npipes\n', followOut.stderr);
  assert.is(followErr.stdout, 'err 2\nerr 4\n', followErr.stderr);
  await waitExited('two');
  assert.is((await mydocker(['logs', 'two'])).stdout, 'out 1\nerr 2\nout 3\nerr 4\npipes\n');
  assert.is((await mydocker(['logs', '--stdout', 'two'])).stdout, 'out 1\nout 3\npipes\n');
  assert.is((await mydocker(['logs', '--stderr', 'two'])).stdout, 'err 2\nerr 4\n');
  assert.is((await mydocker(['logs', '--stdout', '--stderr', 'two'])).stdout, 'out 1\nerr 2\nout 3\nerr 4\npipes\n');
});

test('a megabyte of output arrives complete', async () => {
  expectCode(
    await mydocker(['run', '-d', '--name', 'big', 'sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" a; echo']),
    0,
  );
  await waitExited('big');
  const logs = await mydocker(['logs', 'big']);
  assert.is(logs.stdout.length, 1_000_001, logs.stderr);
  assert.match(logs.stdout, /^a+\n$/);
  // A reader that stops early (logs big | head -c 10): logs ends quietly, exit 0.
  const child = startCli(STAGE, ['logs', 'big'], { root: t.root });
  child.stdout!.once('data', () => child.stdout!.destroy());
  const cut = await collect(child);
  assert.is(cut.stderr, '');
  assert.is(cut.code, 0, cut.stderr);
});

// The monitor reads each pipe into one buffer again and again (5.1's log writer): every
// piece must be in the log before the next read overwrites it, and indexed by its own length.
test('both streams at once, many reads each, arrive complete and apart', async () => {
  const script = 'seq 1 60000 & seq 100001 160000 >&2; wait';
  expectCode(await mydocker(['run', '-d', '--name', 'both', 'sh', '-c', script]), 0);
  await waitExited('both');
  const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');
  const out = await mydocker(['logs', '--stdout', 'both']);
  const err = await mydocker(['logs', '--stderr', 'both']);
  expectCode(out, 0);
  expectCode(err, 0);
  assert.ok(out.stdout === lines(1, 60000), `stdout: ${out.stdout.length} bytes, not seq 1 60000`);
  assert.ok(err.stdout === lines(100001, 160000), `stderr: ${err.stdout.length} bytes, not seq 100001 160000`);
  const all = await mydocker(['logs', 'both']);
  expectCode(all, 0);
  assert.is(all.stdout.length, out.stdout.length + err.stdout.length);
});

test('without -f, logs returns at once with what is there while the container runs', async () => {
  const m = uniqueName('logs');
  expectCode(await mydocker(['run', '-d', '--name', 'long', 'sh', '-c', `echo first; sleep 1000; : ${m}`]), 0);
  await waitForDetachedProcess(m, 'sh');
  let out = { stdout: '', stderr: '' };
  for (let i = 0; i < 100 && out.stdout !== 'first\n'; i++) {
    out = await mydocker(['logs', 'long']);
    if (out.stdout !== 'first\n') await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(out.stdout, 'first\n', out.stderr);
});

test('logs -f follows the log until the container ends', async () => {
  const m = uniqueName('follow');
  expectCode(
    await mydocker([
      'run',
      '-d',
      '--name',
      'ticker',
      'sh',
      '-c',
      `echo tick 1; sleep 1; echo tick 2; sleep 1; echo tick 3; : ${m}`,
    ]),
    0,
  );
  const follower = startCli(STAGE, ['logs', '-f', 'ticker'], { root: t.root });
  let seen = '';
  let ended = '';
  follower.stdout!.on('data', (d) => (seen += d));
  const done = collect(follower, { timeoutMs: 30_000 });
  void done.then((r) => (ended = `logs -f ended (exit ${r.code}): ${r.stderr}`));
  await waitFor(
    () => (seen.includes('tick 1') ? true : undefined),
    10_000,
    'the first line',
    () => ended || undefined,
  );
  assert.not.ok(seen.includes('tick 3'), 'logs -f printed the future');
  const r = await done;
  assert.is(r.code, 0, r.stderr);
  assert.is(seen, 'tick 1\ntick 2\ntick 3\n');
});

test('logs -f ends when the runtime dies: a monitor killed while the container runs, or while it starts', async () => {
  const m = uniqueName('orphan');
  expectCode(await mydocker(['run', '-d', '--name', 'orphan', 'sh', '-c', `echo up; sleep 1000; : ${m}`]), 0);
  const sh = await waitForDetachedProcess(m, 'sh');
  const follower = startCli(STAGE, ['logs', '-f', 'orphan'], { root: t.root });
  let seen = '';
  follower.stdout!.on('data', (d) => (seen += d));
  let ended = '';
  const done = collect(follower, { timeoutMs: 15_000 });
  void done.then((r) => (ended = `logs -f ended (exit ${r.code}): ${r.stderr}`));
  await waitFor(
    () => (seen.includes('up') ? true : undefined),
    10_000,
    'the first line',
    () => ended || undefined,
  );
  process.kill(statOf(sh)!.ppid, 'SIGKILL'); // the monitor; the container dies with it
  const r = await done;
  assert.is(r.code, 0, r.stderr);
  assert.is(seen, 'up\n');

  // A monitor killed before the container ran leaves it "created" for good: the state
  // names the process that was starting it, and that process is gone.
  const id = (await mydocker(['run', '-d', '--name', 'never', 'true'])).stdout.trim();
  await waitExited('never');
  const gone = spawn('sleep', ['1000']);
  const runtime = processIdentity(gone.pid!);
  gone.kill('SIGKILL');
  await new Promise((resolve) => gone.once('exit', resolve));
  const file = path.join(t.root, 'containers', id, 'state.json');
  const state = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...state, status: 'created', runtime, exitCode: undefined }));
  const never = await runCli(STAGE, ['logs', '-f', 'never'], { root: t.root, timeoutMs: 15_000 });
  assert.is(never.code, 0, never.stderr);
});

test('a foreground container has no log; an unknown container is an error', async () => {
  const m = uniqueName('fg');
  const fg = startCli(STAGE, ['run', '--name', 'fg', 'sh', '-c', `sleep 1000; : ${m}`], { root: t.root });
  const fgDone = collect(fg);
  const sh = await waitForDetachedProcess(m, 'sh');
  const r = await mydocker(['logs', 'fg']);
  assert.is(r.code, 125, r.stderr);
  assert.match(r.stderr, /runs in the foreground/);
  process.kill(sh, 'SIGKILL');
  await fgDone;
  const none = await mydocker(['logs', 'nosuch']);
  assert.is(none.code, 125, none.stderr);
  assert.match(none.stderr, /no such container: nosuch/);
  const usage = await mydocker(['logs']);
  assert.is(usage.code, 125, usage.stderr);
  assert.match(usage.stderr, /usage: logs/);
});

test.run();
