// Chapter 3.3 tests: the command reaches the container exactly (through the pipe), is
// found on PATH, runs inside its cgroup from its first instruction, and starts with
// fds 0, 1, 2 only.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest, runCli } from '../../src/testing/harness.ts';

const t = perTest(test, '3.3');
const STAGE = t.stage;
const mydocker = t.mydocker;

test('arguments with spaces, quotes, unicode and emptiness arrive exactly', async () => {
  const args = ['a b', "it's", '"double"', 'ü 日本 🐳', '', '$HOME', '*', '-x', 'tab\there', 'new\nline'];
  const r = await mydocker(['run', 'printf', '[%s]\\n', ...args]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, args.map((a) => `[${a}]\n`).join(''));
});

test('a bare command name is found on PATH, and PATH is the default', async () => {
  const r = await mydocker(['run', 'env']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
});

test('the command runs in its cgroup from its first instruction', async () => {
  // cat is exec'd directly: reading /proc/self/cgroup is the first thing the command does.
  const r = await mydocker(['run', '-m', '64m', 'cat', '/proc/self/cgroup']);
  assert.is(r.code, 0, r.stderr);
  // v1: the memory hierarchy's line; v2: the unified line "0::/…".
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  const line = r.stdout.split('\n').find((l) => (v2 ? l.startsWith('0::') : /^\d+:memory:/.test(l)));
  assert.match(line ?? '', /\/mydocker-[^/]*[0-9a-f]{12}$/, r.stdout);
  assertHostClean(t.before);
});

test("the container's hostname is its id; the host's is unchanged", async () => {
  const host = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8');
  const r = await mydocker(['run', 'sh', '-c', 'cat /proc/sys/kernel/hostname /proc/self/cgroup']);
  // The danger first (the harness puts the host's name back after each test).
  assert.is(
    fs.readFileSync('/proc/sys/kernel/hostname', 'utf8'),
    host,
    `the container's hostname was set on the host (before the UTS namespace?); run exit ${r.code}, stderr: ${r.stderr}`,
  );
  assert.is(r.code, 0, r.stderr);
  const [name, ...cgroups] = r.stdout.split('\n');
  const id = /\/mydocker-[^/]*?([0-9a-f]{12})$/m.exec(cgroups.join('\n'))?.[1];
  assert.ok(id, r.stdout);
  assert.is(name, id);
});

test('only fds 0, 1 and 2 are open in the container', async () => {
  // ls opens one directory (fd 3) to list /proc/self/fd; nothing else may be there.
  const r = await mydocker(['run', 'ls', '/proc/self/fd']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.split(/\s+/).filter(Boolean).sort(),
    ['0', '1', '2', '3'],
    'an fd leaked into the container: closeInheritedFds must cover every fd from 3 up',
  );
  // From its sources (through tsx), init holds more open fds — tsx's pipe to its esbuild
  // service among them — and only closeInheritedFds keeps them out of the container.
  const src = await runCli(STAGE, ['run', 'ls', '/proc/self/fd'], { root: t.root, viaTsx: true });
  assert.is(src.code, 0, src.stderr);
  assert.equal(src.stdout.split(/\s+/).filter(Boolean).sort(), ['0', '1', '2', '3'], 'an fd leaked into the container');
  // An fd the runtime inherits above Node's own start-up sweep (fds 0–15 and on to the first
  // gap) stays open in init and its command unless closeInheritedFds marks it: fd 40 here.
  const under = ['bash', '-c', 'exec 40</dev/null; exec "$@"', 'bash'];
  const inherited = await runCli(STAGE, ['run', 'ls', '/proc/self/fd'], { root: t.root, under });
  assert.is(inherited.code, 0, inherited.stderr);
  assert.equal(
    inherited.stdout.split(/\s+/).filter(Boolean).sort(),
    ['0', '1', '2', '3'],
    'fd 40, which the runtime inherited, leaked into the container: closeInheritedFds must cover every fd from 3 up',
  );
});

test('fds 0-2 are blocking and plain (not close-on-exec) in the container', async () => {
  // fdinfo's flags are octal open flags; 04000 is O_NONBLOCK, 02000000 is O_CLOEXEC.
  const r = await mydocker(['run', 'sh', '-c', 'for f in 0 1 2; do grep flags /proc/self/fdinfo/$f; done']);
  assert.is(r.code, 0, r.stderr);
  const flags = r.stdout
    .trim()
    .split('\n')
    .map((l) => parseInt(l.split(/\s+/)[1]!, 8));
  assert.is(flags.length, 3, r.stdout);
  for (const f of flags) {
    assert.is(f & 0o4000, 0, 'O_NONBLOCK is set');
    assert.is(f & 0o2000000, 0, 'O_CLOEXEC is set');
  }
});

test("once init is started, the runtime leaves its stdio's flags alone", async () => {
  // The container's 0–2 are the runtime's: the same open files, whose O_NONBLOCK is one
  // for every process holding them. Init clears it before exec; if the runtime set it
  // afterwards (Node does, the first time it builds process.stderr on a pipe), the
  // command would find it set. The test above sees that only when the runtime's change
  // happens to come after init's clear; this one sees the change itself.
  // strace without -f follows the runtime's main thread, where its JavaScript runs.
  if (spawnSync('strace', ['-V']).error) {
    assert.unreachable(
      'strace is not installed: apt-get install strace (Debian/Ubuntu); npm run doctor says how elsewhere',
    );
  }
  const trace = path.join(t.root, 'runtime.strace');
  const r = await runCli(STAGE, ['run', 'true'], {
    root: t.root,
    under: ['strace', '-qq', '-o', trace, '-e', 'trace=clone,clone3,fork,vfork,ioctl,fcntl'],
  });
  assert.is(r.code, 0, r.stderr);
  const lines = fs.readFileSync(trace, 'utf8').split('\n');
  const spawned = lines.findIndex((l) => /^(clone3?|v?fork)\(/.test(l) && !l.includes('CLONE_THREAD'));
  assert.ok(spawned >= 0, `no process creation in the trace:\n${lines.join('\n')}`);
  const flips = lines.slice(spawned).filter((l) => /^(ioctl\([012], FIONBIO|fcntl\([012], F_SETFL)/.test(l));
  assert.equal(flips, [], 'the runtime changed the flags of fds it shares with the container');
});

test('the command runs with no_new_privs: setuid binaries cannot raise it', async () => {
  const r = await mydocker(['run', 'grep', 'NoNewPrivs', '/proc/self/status']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /NoNewPrivs:\s+1/);
});

test.run();
