// Chapter 3.2 tests only cgroup v2 can have, on a machine that boots pure v2 (no v1
// hierarchy mounted, the four controllers at the root of the tree): most learners'
// machines, and the VM `npm test` boots (src/testing/vm). Elsewhere each test is
// skipped, with the reason printed once.
//
// Two tests run the runtime the way it runs inside another container: in a cgroup of
// its own (not the root of the tree), with a cgroup namespace rooted there, so its
// /sys/fs/cgroup is that cgroup. `unshare --cgroup --mount` plus a fresh cgroup2 mount
// in that new mount namespace make that view (over a tmpfs: the kernel refuses the
// same cgroup2 superblock twice on one mount point; the host's mounts are untouched);
// the cgroups are made under /sys/fs/cgroup and removed after.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  cgroupPrefix,
  cliArgv,
  collect,
  perTest,
  runtimeCgroups,
  startSession,
  waitFor,
} from '../../src/testing/harness.ts';

const t = perTest(test, '3.2');
const ROOT = '/sys/fs/cgroup';

/** Why this machine cannot run these tests (one line), or undefined on pure v2. */
function notPureV2(): string | undefined {
  if (!fs.existsSync(path.join(ROOT, 'cgroup.controllers'))) return `${ROOT} is not cgroup v2 (v1 or hybrid)`;
  const v1 = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup /.test(l));
  if (v1) return `a cgroup v1 hierarchy is mounted (${v1.split(' ')[4]}): hybrid, not pure v2`;
  if (fs.existsSync(path.join(ROOT, 'cgroup.type'))) return `${ROOT} is a delegated subtree, not the root of the tree`;
  const have = fs.readFileSync(path.join(ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/);
  const lacking = ['memory', 'cpu', 'cpuset', 'pids'].filter((c) => !have.includes(c));
  if (lacking.length) return `the root cgroup lacks the ${lacking.join(', ')} controller(s)`;
  return undefined;
}

const skip = notPureV2();
if (skip) console.log(`v2.test.ts: skipped: ${skip}; npm run test:vm runs these tests in a pure-v2 VM`);
const v2test = skip ? test.skip : test;

/** A cgroup of the test's own under the root, removed after the test (leaf first). */
function makeCgroup(name: string): string {
  const dir = path.join(ROOT, `${name}-${path.basename(t.root)}`);
  fs.mkdirSync(dir);
  made.push(dir);
  return dir;
}
const made: string[] = [];
/** rmdir a cgroup and the cgroups below it, deepest first (each is empty of processes by now). */
function removeTree(dir: string): void {
  for (const child of fs.readdirSync(dir, { withFileTypes: true })) {
    if (child.isDirectory()) removeTree(path.join(dir, child.name));
  }
  fs.rmdirSync(dir);
}
test.after.each(() => {
  for (const dir of made.splice(0).reverse()) removeTree(dir);
});

/**
 * Run the stage's CLI with `args` from inside cgroup `dir`, in a cgroup namespace rooted
 * there: the CLI's /sys/fs/cgroup is `dir`, and `dir` holds the CLI and the shell that
 * started it (processes, as in a container).
 */
function runInside(dir: string, args: string[]) {
  const script =
    'echo $$ > "$1/cgroup.procs" && shift && ' +
    'exec unshare --cgroup --mount sh -c \'mount -t tmpfs none /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"\' sh "$@"';
  const child = spawn('sh', ['-c', script, 'sh', dir, process.execPath, ...cliArgv(t.stage), ...args], {
    env: { ...process.env, MYDOCKER_ROOT: t.root, MYDOCKER_CGROUP_PREFIX: cgroupPrefix(t.root), FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, { timeoutMs: 60_000 });
}

const children = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

v2test(
  'no internal processes: from a non-root cgroup that holds processes, containers still get their limits',
  async () => {
    const outer = makeCgroup('outer');
    // A cgroup namespace rooted at `outer`, which holds the shell and the runtime: to enable
    // memory for its children the runtime must first move them to a leaf (init/).
    const r = await runInside(outer, [
      'run',
      '-m',
      '32m',
      'sh',
      '-c',
      'cat /proc/self/cgroup; a=$(head -c 100000000 /dev/zero | tr "\\0" x); echo survived',
    ]);
    assert.is(r.code, 137, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout, /^0::\/mydocker-[^/\n]+\n/, 'the container sees its own cgroup under the namespace root');
    assert.not.match(r.stdout, /survived/);
    assert.match(r.stderr, /out of memory/);
    assert.match(fs.readFileSync(path.join(outer, 'cgroup.subtree_control'), 'utf8'), /\bmemory\b/);
    assert.equal(children(outer), ['init'], 'the processes went to init/, and the container cgroup is gone');
    assertHostClean(t.before);
  },
);

v2test('a limit whose controller is not delegated: exit 125, a clear message, nothing created', async () => {
  const outer = makeCgroup('nodeleg');
  fs.writeFileSync(path.join(outer, 'cgroup.subtree_control'), '+pids');
  const inner = path.join(outer, 'inner');
  fs.mkdirSync(inner); // its cgroup.controllers: pids only
  const r = await runInside(inner, ['run', '-m', '64m', 'true']);
  assert.is(r.code, 125, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, /-m needs the memory controller, which is not delegated/);
  assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.equal(children(inner), [], 'a cgroup was created');
  assert.equal(t.leftovers(), [], 'a container directory was created');
  // What is delegated works there.
  const ok = await runInside(inner, ['run', '--pids-limit', '64', 'true']);
  assert.is(ok.code, 0, ok.stderr);
  assertHostClean(t.before);
});

v2test('memory.swap.max is 0 under -m, so the container cannot swap past its limit', async () => {
  // Where the kernel accounts no swap (no memory.swap.max) -m must still work: the fake
  // v2 tree of cgroup-layouts.test.ts has no such file.
  const s = startSession(t.stage, ['run', '-i', '-m', '64m', 'sh', '-c', 'echo READY; read x'], { root: t.root });
  await s.waitOutput(/READY/);
  const [cg] = await waitFor(
    () => (runtimeCgroups().length ? runtimeCgroups() : undefined),
    10_000,
    'the container cgroup',
  );
  const swap = path.join(cg!, 'memory.swap.max');
  if (fs.existsSync(swap)) assert.is(fs.readFileSync(swap, 'utf8').trim(), '0');
  assert.is(fs.readFileSync(path.join(cg!, 'memory.max'), 'utf8').trim(), String(64 * 1024 * 1024));
  s.send('go\n');
  const r = await s.finish();
  assert.is(r.code, 0, r.stderr);
  assertHostClean(t.before);
});

v2test('cgroup.kill: a process put into the container cgroup from outside goes with the container', async () => {
  const s = startSession(t.stage, ['run', '-i', 'sh', '-c', 'echo READY; read x'], { root: t.root });
  await s.waitOutput(/READY/);
  const [cg] = await waitFor(
    () => (runtimeCgroups().length ? runtimeCgroups() : undefined),
    10_000,
    'the container cgroup',
  );
  // Not in the container's PID namespace, so the end of its init does not end it.
  const stray = spawn('sleep', ['600'], { stdio: 'ignore' });
  const ended = new Promise<NodeJS.Signals | null>((resolve) => stray.once('exit', (_code, sig) => resolve(sig)));
  try {
    fs.writeFileSync(path.join(cg!, 'cgroup.procs'), String(stray.pid));
    s.send('go\n');
    const r = await s.finish();
    assert.is(r.code, 0, r.stderr);
    assert.not.match(r.stderr, /could not remove/);
    assert.is(await ended, 'SIGKILL');
    assertHostClean(t.before);
  } finally {
    stray.kill('SIGKILL');
  }
});

test.run();
