// Unit tests of the harness's hold on what a test starts (contain.ts, used by collect):
// a stage that leaves an orphan on its output, or never ends, must not hang a test, and
// whatever it started must be gone afterwards; a stage that ignores its input must not
// crash the test that gave it some. The "stage" here is a few lines of Node that
// misbehave on purpose, run as the harness runs any stage.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findProcesses, makeRoot, removeRoot, runCli, uniqueName } from './harness.ts';

/** A throwaway stage whose main.ts is `code`; removed by the returned function. */
function fakeStage(code: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-fake-stage-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), code);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  return assert.unreachable('expected the run to fail') as never;
}

test('an orphan holding the CLI’s stdout: the run ends soon after the CLI, naming and killing it', async () => {
  const marker = uniqueName('orphan');
  // A grandchild in a session of its own, outside any namespace, keeps the CLI's stdout.
  const stage = fakeStage(
    `import { spawn } from 'node:child_process';\n` +
      `spawn('setsid', ['sh', '-c', 'sleep 1000; : ${marker}'], { stdio: 'inherit', detached: true }).unref();\n` +
      `setTimeout(() => process.exit(0), 300);\n`,
  );
  const root = makeRoot();
  const started = Date.now();
  try {
    const message = await failure(runCli(stage.dir, ['run'], { root, viaTsx: true }));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.match(message, /ended \(exit 0\)/);
    assert.match(message, new RegExp(`sh -c sleep 1000; : ${marker} \\(pid \\d+\\).* still held its stdout`), message);
    assert.equal(findProcesses(marker), [], 'the orphan is still alive');
  } finally {
    for (const pid of findProcesses(marker)) process.kill(pid, 'SIGKILL');
    removeRoot(root);
    stage.remove();
  }
});

test('a CLI that never ends: killed after its timeout, with everything it started', async () => {
  const marker = uniqueName('hang');
  // A helper that left the CLI's process group and does not hold its output: only the
  // harness's cgroup still knows it came from this CLI.
  const stage = fakeStage(
    `import { spawn } from 'node:child_process';\n` +
      `spawn('setsid', ['sh', '-c', 'sleep 1000; : ${marker}'], { stdio: 'ignore', detached: true }).unref();\n` +
      `setInterval(() => {}, 1000);\n`,
  );
  const root = makeRoot();
  const started = Date.now();
  try {
    const message = await failure(runCli(stage.dir, ['run', 'forever'], { root, viaTsx: true, timeoutMs: 3000 }));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.match(message, /^killed after 3 s: `mydocker run forever` had not ended/, message);
    assert.equal(findProcesses(marker), [], 'a process the CLI started outlived it');
  } finally {
    for (const pid of findProcesses(marker)) process.kill(pid, 'SIGKILL');
    removeRoot(root);
    stage.remove();
  }
});

test('a CLI that ends without reading its input: the test gets its exit and output, not an EPIPE', async () => {
  // 1 MiB is more than a pipe holds, so the write is still going when the CLI is gone.
  const stage = fakeStage(`process.stdout.write('done early\\n');\nprocess.exitCode = 3;\n`);
  const root = makeRoot();
  try {
    const r = await runCli(stage.dir, ['run', 'x'], { root, viaTsx: true, input: 'y'.repeat(1 << 20) });
    assert.is(r.code, 3);
    assert.is(r.stdout, 'done early\n');
  } finally {
    removeRoot(root);
    stage.remove();
  }
});

test.run();
