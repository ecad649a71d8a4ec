// Chapter 3.1 tests: `run` puts the command in new namespaces, as PID 1, with its own
// /proc, and passes its exit back. Black-box: each test runs the stage's CLI as a user
// would and asks the kernel (/proc/self/ns/*, /proc/net/dev, the host's mountinfo).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  collect,
  hostNamespaces,
  hostState,
  perTest,
  runCli,
  startCli,
  startSession,
  uniqueName,
  waitForProcess,
} from '../../src/testing/harness.ts';

const t = perTest(test, '3.1', { afterEach: () => undoProcLeak() });
const STAGE = t.stage;
const mydocker = t.mydocker;

test('the command runs as PID 1', async () => {
  const r = await mydocker(['run', 'sh', '-c', 'echo $$']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), '1');
});

test('uts, pid, mnt, ipc and net namespaces all differ from the host', async () => {
  const host = hostNamespaces();
  const kinds = Object.keys(host);
  const r = await mydocker(['run', 'sh', '-c', kinds.map((k) => `readlink /proc/self/ns/${k}`).join('; ')]);
  assert.is(r.code, 0, r.stderr);
  const inside = r.stdout.trim().split('\n');
  assert.is(inside.length, kinds.length, r.stdout);
  kinds.forEach((k, i) => {
    assert.ok(inside[i]!.startsWith(`${k}:[`), `expected a ${k} namespace link, got ${inside[i]}`);
    assert.is.not(inside[i], host[k], `${k} namespace is the host's`);
  });
});

test('a hostname set inside does not change the host', async () => {
  const hostName = os.hostname();
  try {
    const r = await mydocker(['run', 'sh', '-c', 'hostname mydocker-inside && hostname']);
    // The danger first: the host's name.
    assert.is(
      os.hostname(),
      hostName,
      `the hostname set inside changed the host's (no new UTS namespace?); run exit ${r.code}, stderr: ${r.stderr}`,
    );
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim(), 'mydocker-inside');
  } finally {
    if (os.hostname() !== hostName) spawnSync('hostname', [hostName]);
  }
});

test('the network namespace has only lo', async () => {
  const r = await mydocker(['run', 'cat', '/proc/net/dev']);
  assert.is(r.code, 0, r.stderr);
  const ifaces = r.stdout
    .split('\n')
    .slice(2)
    .filter((l) => l.includes(':'))
    .map((l) => l.split(':')[0]!.trim());
  assert.equal(ifaces, ['lo']);
});

test("/proc inside shows only the container's processes", async () => {
  const r = await mydocker(['run', 'sh', '-c', 'ls /proc']);
  assert.is(r.code, 0, r.stderr);
  const pids = r.stdout.split(/\s+/).filter((n) => /^\d+$/.test(n));
  assert.ok(pids.includes('1'), `no pid 1 in ${pids}`);
  assert.ok(pids.length < 5, `the host's processes are visible: ${pids.length} pids`);
  assertHostClean(t.before);
});

test('exit codes pass through: 0 and 3', async () => {
  const ok = await mydocker(['run', 'true']);
  assert.is(ok.code, 0, ok.stderr);
  const three = await mydocker(['run', 'sh', '-c', 'exit 3']);
  assert.is(three.code, 3, three.stderr);
});

test('the runtime is back in its own PID namespace while the container runs', async () => {
  // Without the setns back, the runtime's *next* children would be born in the
  // container's PID namespace (its pid_for_children still points there).
  const marker = uniqueName('mydocker-test');
  const child = startCli(STAGE, ['run', 'sh', '-c', `sleep 1000; : ${marker}`], { root: t.root });
  const done = collect(child);
  const pid = await waitForProcess(marker, 'sh');
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // the process that started init
    const own = fs.readlinkSync(`/proc/${parent}/ns/pid`);
    const forChildren = fs.readlinkSync(`/proc/${parent}/ns/pid_for_children`);
    const container = fs.readlinkSync(`/proc/${pid}/ns/pid`);
    assert.is.not(container, own, 'the container is in the runtime’s PID namespace');
    assert.is(
      forChildren,
      own,
      `the runtime (pid ${parent}) would start its next children in ${forChildren}, the container's PID namespace: setns back to the saved /proc/self/ns/pid after the spawn`,
    );
  } finally {
    process.kill(pid, 'SIGKILL');
    await done.catch(() => {}); // how the run ended is other tests' business
  }
});

test('a container killed by SIGKILL exits 137', async () => {
  const marker = uniqueName('mydocker-test');
  const child = startCli(STAGE, ['run', 'sh', '-c', `sleep 1000; echo ${marker}`], { root: t.root });
  const done = collect(child);
  // The container's PID 1 is the shell; find it on the host by its command line.
  const pid = await waitForProcess(marker, 'sh');
  process.kill(pid, 'SIGKILL');
  const r = await done;
  assert.is(r.code, 137, r.stderr);
  assertHostClean(t.before);
});

test('SIGTERM to mydocker is forwarded to the container', async () => {
  // The shell says "ready" once its trap is set: a PID 1 without a handler ignores SIGTERM.
  const s = startSession(STAGE, ['run', 'sh', '-c', `trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done`], {
    root: t.root,
  });
  await s.waitOutput(/ready/);
  s.child.kill('SIGTERM');
  const r = await s.finish();
  assert.is(r.code, 42, r.stderr);
});

test('stdin reaches the container with -i', async () => {
  const r = await mydocker(['run', '-i', 'cat'], 'hello through stdin\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello through stdin\n');
});

test('a command that does not exist: exit 127 and a clear message', async () => {
  const r = await mydocker(['run', 'no-such-command-xyz']);
  assert.is(r.code, 127, r.stderr);
  assert.match(r.stderr, /no-such-command-xyz: executable file not found/);
  assert.not.match(r.stderr, /\n\s+at /, 'printed a stack trace');
});

test('usage errors exit 125 before anything runs', async () => {
  const none = await mydocker(['run']);
  assert.is(none.code, 125, none.stderr);
  assert.match(none.stderr, /missing the command/);
  const bad = await mydocker(['run', '--no-such-flag', 'true']);
  assert.is(bad.code, 125, bad.stderr);
  assert.match(bad.stderr, /unknown flag: --no-such-flag/);
  assertHostClean(t.before);
});

test("the host's mount table is unchanged after a run", async () => {
  const r = await mydocker(['run', 'sh', '-c', 'cat /proc/self/mountinfo > /dev/null']);
  assert.is(r.code, 0, r.stderr);
  assertHostClean(t.before);
});

test('no mount leaks out on a host whose / is shared (as on systemd machines)', async () => {
  // The CLI runs in a mount namespace of the test's own whose mounts the test made shared
  // (private first, so nothing of it reaches the real host): it plays a systemd host, on
  // any machine. A mount the container makes before its mounts are private shows up there.
  const info = path.join(t.root, 'mountinfo');
  // mountinfo is read through an fd opened before the run: a leaked /proc would hide /proc/self.
  const script =
    'mount --make-rshared / && exec 3</proc/self/mountinfo && cat /proc/self/mountinfo > "$0.before" && "$@" 3<&-; rc=$?; cat <&3 > "$0.after"; exit $rc';
  const under = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, info];
  const r = await runCli(STAGE, ['run', 'sh', '-c', 'grep -c " /proc " /proc/self/mountinfo'], { root: t.root, under });
  assert.is(r.code, 0, r.stderr);
  const mounts = (f: string) =>
    fs
      .readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').slice(2).join(' '));
  const before = mounts(`${info}.before`);
  const leaked = mounts(`${info}.after`).filter((m) => !before.includes(m));
  assert.equal(
    leaked,
    [],
    `mounts made in the container reached the shared "host": ${leaked.join(' | ')} — makeMountsPrivate is missing or comes after mountProc`,
  );
});

/**
 * A stage that mounted its /proc before making its mounts private, on a host whose `/`
 * is shared, covers the host's /proc: take such a mount off again (there is none on a
 * host whose `/` is private, or when the stage is right).
 */
function undoProcLeak(): void {
  const leaked = hostState().mounts.filter((m) => !t.before.mounts.includes(m) && / \/proc .* - proc /.test(` ${m}`));
  for (const _ of leaked) spawnSync('umount', ['-l', '/proc']);
}

test.run();
