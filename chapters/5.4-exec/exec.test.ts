// Chapter 5.4 tests: `exec` runs a command inside a running container — in all of its
// namespaces, its root and its cgroup, with its environment and not the host's — and
// exits as the command did.

import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  findProcesses,
  perTest,
  REPO,
  runCli,
  runtimeCgroups,
  startCli,
  uniqueName,
  waitFor,
} from '../../src/testing/harness.ts';
import { alive, cmdlineOf, killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.4', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = (args: string[], input?: string, env?: NodeJS.ProcessEnv) =>
  runCli(STAGE, args, { root: t.root, input, env });
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);

/** Start a detached container named `name` that made /made-inside; its init's host pid. */
async function startBox(name = 'box'): Promise<number> {
  const m = uniqueName('exec');
  const r = await mydocker(['run', '-d', '--name', name, 'sh', '-c', `echo inside > /made-inside; sleep 1000; : ${m}`]);
  assert.is(r.code, 0, r.stderr);
  return waitForDetachedProcess(m, 'sh');
}

test('exec runs in every namespace of the container and in its root', async () => {
  const sh = await startBox();
  const kinds = ['mnt', 'uts', 'ipc', 'net', 'pid'];
  const r = await mydocker([
    'exec',
    'box',
    'sh',
    '-c',
    `${kinds.map((k) => `readlink /proc/self/ns/${k}`).join('; ')}; cat /made-inside; test -e ${REPO}/package.json && echo host-visible; pwd`,
  ]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  kinds.forEach((k, i) => assert.is(lines[i], fs.readlinkSync(`/proc/${sh}/ns/${k}`), `${k} namespace`));
  assert.equal(lines.slice(kinds.length), ['inside', '/']);
});

test("exec sees the container's processes: its PID 1 is the container's command", async () => {
  await startBox();
  const r = await mydocker(['exec', 'box', 'cat', '/proc/1/cmdline']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout.split('\0').join(' '), /^sh -c echo inside/);
});

test("the command has the container's environment, not the host's", async () => {
  await startBox();
  const r = await mydocker(['exec', 'box', 'env'], undefined, { MYDOCKER_HOST_SECRET: 'leaked' });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
  assert.match(r.stdout, /^HOME=\/root$/m);
  assert.not.match(r.stdout, /MYDOCKER_HOST_SECRET|MYDOCKER_ROOT/);
});

test("the command is in the container's cgroup and has no_new_privs", async () => {
  await startBox();
  const r = await mydocker(['exec', 'box', 'sh', '-c', 'cat /proc/self/cgroup; grep NoNewPrivs /proc/self/status']);
  assert.is(r.code, 0, r.stderr);
  const ours = runtimeCgroups().map((c) => c.split('/').at(-1));
  assert.ok(ours.length > 0);
  assert.match(r.stdout, new RegExp(`/${ours[0]}$`, 'm'));
  assert.match(r.stdout, /NoNewPrivs:\s+1/);
});

test('exit codes pass through: 0, 7, 127 for a missing command, 137 for SIGKILL', async () => {
  await startBox();
  expectCode(await mydocker(['exec', 'box', 'true']), 0);
  expectCode(await mydocker(['exec', 'box', 'sh', '-c', 'exit 7']), 7);
  const missing = await mydocker(['exec', 'box', 'no-such-command']);
  assert.is(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /no-such-command/);
  expectCode(await mydocker(['exec', 'box', 'sh', '-c', 'kill -9 $$']), 137);
});

test('SIGTERM to exec reaches the command', async () => {
  await startBox();
  const m = uniqueName('exec-term');
  // Short sleeps: a long one would outlive its shell and hold the output pipe open.
  const script = `while :; do sleep 0.1; done; : ${m}`;
  const child = startCli(STAGE, ['exec', 'box', 'sh', '-c', script], { root: t.root });
  // The exit, not the end of its output: a command that survived would hold the pipe open.
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? String(code))),
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const early = exited.then((code) =>
    assert.unreachable(`exec ended (exit ${code}) before its command ran: ${stderr}`),
  );
  // The command itself, in the container: not the host sh that starts nsenter, whose
  // arguments carry the same marker.
  const inContainer = () => findProcesses(m, 'sh').find((pid) => cmdlineOf(pid).trim() === `sh -c ${script}`);
  const sh = await Promise.race([
    waitFor(inContainer, 20_000, 'the command in the container'),
    early as Promise<never>,
  ]);
  early.catch(() => undefined); // from here on its exit is what the test waits for
  child.kill('SIGTERM');
  // 143, or ended by the SIGTERM itself when it came as exec was finishing: either way
  // the test is that the command in the container got it.
  const how = await exited;
  assert.ok(['143', 'SIGTERM'].includes(how), `exec ended with ${how}: ${stderr}`);
  await waitFor(() => (alive(sh) ? undefined : true), 5_000, "the exec'd command to end");
});

test('stdin reaches the command with -i', async () => {
  await startBox();
  const r = await mydocker(['exec', '-i', 'box', 'cat'], 'through exec\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'through exec\n');
});

test('exec into an unknown or an exited container fails with 125', async () => {
  expectCode(await mydocker(['run', '-d', '--name', 'gone', 'true']), 0);
  let r = await mydocker(['exec', 'gone', 'true']);
  for (let i = 0; i < 100 && !/is not running/.test(r.stderr); i++) {
    await new Promise((res) => setTimeout(res, 100));
    r = await mydocker(['exec', 'gone', 'true']);
  }
  assert.is(r.code, 125, r.stderr);
  assert.match(r.stderr, /container gone is not running/);
  const none = await mydocker(['exec', 'nosuch', 'true']);
  assert.is(none.code, 125, none.stderr);
  assert.match(none.stderr, /no such container: nosuch/);
  expectCode(await mydocker(['exec', 'box']), 125);
});

test.run();
