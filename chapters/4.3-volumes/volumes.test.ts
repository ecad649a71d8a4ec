// Chapter 4.3 tests: what a container writes into a volume is on the host and stays
// there — after exit, after the container or the runtime is killed — while the rest
// of the container's writes vanish. Bad specs are refused before anything exists, and
// no volume target can lead out of the container's root.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  collect,
  findProcesses,
  hostState,
  perTest,
  runCli,
  startCli,
  TIME_SCALE,
  uniqueName,
  waitFor,
  waitForProcess,
} from '../../src/testing/harness.ts';

const t = perTest(test, '4.3');
const STAGE = t.stage;
const mydocker = t.mydocker;
/** A host directory for volumes, inside the test's own state root. */
const hostPath = (...p: string[]) => path.join(t.root, 'host', ...p);
const leftovers = t.leftovers;

test('data written in a volume survives exit; a second container sees it', async () => {
  const vol = hostPath('volume');
  const w = await mydocker(['run', '-v', `${vol}:/test`, 'sh', '-c', 'echo kept > /test/x && echo lost > /elsewhere']);
  assert.is(w.code, 0, w.stderr);
  assert.is(fs.readFileSync(path.join(vol, 'x'), 'utf8'), 'kept\n');
  assert.equal(leftovers(), [], 'write layer left behind');
  const r = await mydocker([
    'run',
    '-v',
    `${vol}:/test`,
    'sh',
    '-c',
    'cat /test/x; test -e /elsewhere && echo leaked || true',
  ]);
  assert.is(r.stdout, 'kept\n', r.stderr);
  assertHostClean(t.before);
});

test('a missing host directory is created, parents included', async () => {
  const vol = hostPath('a/b/c');
  const r = await mydocker(['run', '-v', `${vol}:/data`, 'sh', '-c', 'touch /data/made']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(vol, 'made')));
});

test('a host directory that cannot be made: a clear error, exit 125, no container left', async () => {
  // Under /proc nothing can be made (ENOENT); Node's own recursive mkdir never returns there.
  const r = await runCli(STAGE, ['run', '-v', '/proc/mydocker-no-such/dir:/data', 'true'], {
    root: t.root,
    timeoutMs: 20_000,
  }).catch((err: Error) => {
    if (/^killed after/.test(err.message))
      assert.unreachable(
        `run did not end within 20 s: does mkdirSync(…, { recursive: true }) spin under /proc? (${err.message})`,
      );
    throw err;
  });
  assert.is(r.code, 125, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, /volume \/proc\/mydocker-no-such\/dir: cannot create the host directory: ENOENT/, r.stderr);
  assert.equal(leftovers(), []);
  assertHostClean(t.before);
});

test('two volumes at once, and a host file mounted as a file', async () => {
  const a = hostPath('a');
  const b = hostPath('b');
  const file = hostPath('config.txt');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'from the host\n');
  const r = await mydocker([
    'run',
    '-v',
    `${a}:/a`,
    '-v',
    `${b}:/deep/b`,
    '-v',
    `${file}:/etc/app.conf`,
    'sh',
    '-c',
    'echo A > /a/f; echo B > /deep/b/f; cat /etc/app.conf; test -f /etc/app.conf && echo is-a-file',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'from the host\nis-a-file\n');
  assert.is(fs.readFileSync(path.join(a, 'f'), 'utf8'), 'A\n');
  assert.is(fs.readFileSync(path.join(b, 'f'), 'utf8'), 'B\n');
});

test(':ro refuses writes; the host stays as it was', async () => {
  const vol = hostPath('ro');
  fs.mkdirSync(vol, { recursive: true });
  fs.writeFileSync(path.join(vol, 'keep'), 'original\n');
  const r = await mydocker([
    'run',
    '-v',
    `${vol}:/ro:ro`,
    'sh',
    '-c',
    'cat /ro/keep; echo changed > /ro/keep; echo new > /ro/new',
  ]);
  assert.is.not(r.code, 0, r.stderr);
  assert.match(r.stderr, /Read-only file system/);
  assert.is(r.stdout, 'original\n');
  assert.is(fs.readFileSync(path.join(vol, 'keep'), 'utf8'), 'original\n');
  assert.not.ok(fs.existsSync(path.join(vol, 'new')));
  const rw = await mydocker(['run', '-v', `${vol}:/rw:rw`, 'sh', '-c', 'echo new > /rw/new']);
  assert.is(rw.code, 0, rw.stderr);
});

test('bad specs: a clear error, exit 125, and nothing created', async () => {
  const h = hostPath('never-created');
  // Each is refused for the reason beside it; the test checks what a user needs from the
  // error — exit 125, one line, the spec named, no stack trace — not its wording.
  const cases: [string, string][] = [
    ['', 'it is empty'],
    [h, "no ':' between the paths"],
    [`:/x`, 'the host path is empty'],
    [`${h}:`, 'the container path is empty'],
    [`${h}:/x:ro:extra`, "too many ':'"],
    [`${h}:relative`, 'the container path is relative'],
    [`relative:/x`, 'the host path is relative'],
    [`${h}:/`, "the target is '/'"],
    [`${h}:/a/..`, "the target is '/' once normalized"],
    [`${h}:/proc`, 'the target is /proc'],
    [`${h}:/proc/sys`, 'the target is under /proc'],
    [`${h}:/dev/foo`, 'the target is under /dev'],
    [`${h}:/x:rx`, 'the mode is neither ro nor rw'],
  ];
  for (const [spec, why] of cases) {
    const r = await mydocker(['run', '-v', spec, 'true']);
    const got = `got exit ${r.code}, stderr: ${r.stderr.trim() || '(empty)'}`;
    assert.is(r.code, 125, `-v '${spec}' (${why}): expected exit 125; ${got}`);
    assert.is(r.stderr.trim().split('\n').length, 1, `-v '${spec}' (${why}): expected one line on stderr; ${got}`);
    assert.ok(
      r.stderr.includes(`"${spec}"`),
      `-v '${spec}' (${why}): expected the error to name the spec in quotes, "${spec}"; ${got}`,
    );
    assert.not.match(r.stderr, /\n\s+at /, `-v '${spec}': printed a stack trace`);
  }
  const dup = await mydocker(['run', '-v', `${h}1:/same`, '-v', `${h}2:/same/`, 'true']);
  assert.is(dup.code, 125, dup.stderr);
  assert.match(dup.stderr, /\/same is the target of more than one -v/);
  assert.not.ok(fs.existsSync(path.join(t.root, 'host')), 'a host directory was created for a refused spec');
  assert.equal(leftovers(), []);
  assertHostClean(t.before);
});

test('the volume survives kill -9 of the container', async () => {
  const vol = hostPath('killed');
  const marker = uniqueName('vol-kill');
  const done = collect(
    startCli(
      STAGE,
      ['run', '-v', `${vol}:/v`, 'sh', '-c', `echo before-kill > /v/data; sync; sleep 1000; : ${marker}`],
      { root: t.root },
    ),
  );
  const pid = await waitForProcess(marker, 'sh');
  await waitForFile(path.join(vol, 'data'));
  process.kill(pid, 'SIGKILL');
  const killed = await done;
  assert.is(killed.code, 137, killed.stderr);
  assert.is(fs.readFileSync(path.join(vol, 'data'), 'utf8'), 'before-kill\n');
  assert.equal(leftovers(), []);
  assertHostClean(t.before);
});

test('the volume survives kill -9 of the runtime; the container goes with it', async () => {
  const vol = hostPath('runtime-killed');
  const marker = uniqueName('vol-rtkill');
  const runtime = startCli(
    STAGE,
    ['run', '-v', `${vol}:/v`, 'sh', '-c', `echo written > /v/data; sleep 1000; : ${marker}`],
    { root: t.root },
  );
  const done = collect(runtime);
  const shPid = await waitForProcess(marker, 'sh');
  await waitForFile(path.join(vol, 'data'));
  runtime.kill('SIGKILL');
  await done;
  // The kernel kills the container when its runtime dies (PR_SET_PDEATHSIG).
  await waitUntilGone(shPid);
  assert.equal(findProcesses(marker, 'sh'), []);
  assert.is(fs.readFileSync(path.join(vol, 'data'), 'utf8'), 'written\n');
  // No mount of the container ever reached the host.
  const after = hostState();
  assert.equal(
    after.mounts.filter((m) => !t.before.mounts.includes(m)),
    [],
  );
  // What the killed runtime could not remove (cgroup, write layer) goes with the next run.
  const next = await mydocker(['run', '-v', `${vol}:/v`, 'cat', '/v/data']);
  assert.is(next.stdout, 'written\n', next.stderr);
  assert.equal(leftovers(), []);
  assertHostClean(t.before);
});

test('a symlink in the image cannot lead a volume out of the container root', async () => {
  // Build the image, then plant links in it that point at host paths.
  const built = await mydocker(['run', 'true']);
  assert.is(built.code, 0, built.stderr);
  const image = path.join(t.root, 'images/busybox/rootfs');
  const name = uniqueName('mydocker-escape');
  const escaped = [`/etc/${name}`, `/etc/${name}2`];
  fs.symlinkSync('/etc', path.join(image, 'abs-link'));
  fs.symlinkSync('../../../../../../etc', path.join(image, 'rel-link'));
  const vol = hostPath('escape');
  try {
    const r = await mydocker([
      'run',
      '-v',
      `${vol}:/abs-link/${name}`,
      '-v',
      `${vol}2:/rel-link/${name}2`,
      'sh',
      '-c',
      `ls -d /etc/${name} /etc/${name}2`,
    ]);
    // The danger first, whatever the exit code: nothing of the volume may reach the host's /etc.
    for (const p of escaped) {
      assert.not.ok(
        fs.existsSync(p),
        `the volume target escaped onto the host: ${p} was made (mount on path.join(root, …) instead of the resolved target?); run exit ${r.code}, stderr: ${r.stderr.trim()}`,
      );
    }
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, `/etc/${name}\n/etc/${name}2\n`);
    assertHostClean(t.before);
  } finally {
    // What escaped carries this test's unique name: take it off the host again.
    for (const p of escaped) removeFromHost(p);
  }
});

test("a :ro volume keeps its source's nosuid, nodev and noexec", async () => {
  // The source is a tmpfs mounted nosuid,nodev,noexec in a mount namespace of the test's
  // own, around the CLI: the host never sees it, and it goes when the run ends.
  const src = hostPath('locked');
  fs.mkdirSync(src, { recursive: true });
  const setup = `mount -t tmpfs -o nosuid,nodev,noexec,size=1m tmpfs "$0" && printf '#!/bin/sh\\necho ran\\n' > "$0/prog" && chmod +x "$0/prog" && exec "$@"`;
  const under = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', setup, src];
  const r = await runCli(
    STAGE,
    ['run', '-v', `${src}:/data:ro`, 'sh', '-c', "grep ' /data ' /proc/self/mountinfo; /data/prog"],
    { root: t.root, under },
  );
  const line = r.stdout.split('\n').find((l) => l.includes(' /data ')) ?? '';
  const options = (line.split(' ')[5] ?? '').split(',');
  for (const flag of ['ro', 'nosuid', 'nodev', 'noexec']) {
    assert.ok(
      options.includes(flag),
      `/data is mounted "${options.join(',')}", without ${flag}: the read-only remount must repeat the source's locked flags (lockedFlags); stdout: ${r.stdout}, stderr: ${r.stderr}`,
    );
  }
  assert.not.match(r.stdout, /^ran$/m, 'a program on a noexec volume ran');
  assert.match(r.stderr, /Permission denied/, r.stderr);
  assert.equal(leftovers(), []);
});

test('nested volumes work in any order (parents are mounted first)', async () => {
  const outer = hostPath('outer');
  const inner = hostPath('inner');
  fs.mkdirSync(inner, { recursive: true });
  fs.writeFileSync(path.join(inner, 'f'), 'inner\n');
  // The child volume is named first; the parent must not hide it.
  const r = await mydocker([
    'run',
    '-v',
    `${inner}:/data/sub:ro`,
    '-v',
    `${outer}:/data`,
    'sh',
    '-c',
    "cat /data/sub/f; grep ' /data/sub ' /proc/self/mountinfo",
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^inner\n/);
  assert.match(r.stdout, / \/data\/sub ro[, ]/, r.stdout);
});

test("'..' in a container path stays inside the root", async () => {
  const vol = hostPath('dots');
  const r = await mydocker(['run', '-v', `${vol}:/a/../../../b`, 'sh', '-c', 'touch /b/ok']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(vol, 'ok')));
});

/** Unmount (if it is a mount point) and remove a path a broken stage made on the host. */
function removeFromHost(p: string): void {
  if (!fs.existsSync(p)) return;
  if (hostState().mounts.some((m) => m.split(' ')[2] === p)) spawnSync('umount', ['-l', p]);
  fs.rmSync(p, { recursive: true, force: true });
}

/** Wait until the shell's `echo … > file` is complete: the file exists *and* holds its line. */
async function waitForFile(file: string): Promise<void> {
  await waitFor(
    () => (fs.existsSync(file) && fs.readFileSync(file, 'utf8').endsWith('\n') ? true : undefined),
    20_000,
    `${file} with a line in it`,
  );
}

async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 * TIME_SCALE; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.unreachable(`process ${pid} is still alive`);
}

test.run();
