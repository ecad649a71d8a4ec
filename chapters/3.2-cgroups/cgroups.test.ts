// Chapter 3.2 tests: each container gets its own cgroup holding the limits asked for,
// the kernel enforces them, and the cgroup is gone after the container ends. The
// container's cgroup is read from the kernel (/proc/self/cgroup inside, the cgroup
// files on the host while it runs).

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertHostClean,
  collect,
  findProcesses,
  perTest,
  runtimeCgroups,
  startCli,
  startSession,
  uniqueName,
  waitFor,
  waitForProcess,
} from '../../src/testing/harness.ts';

const t = perTest(test, '3.2');
const STAGE = t.stage;
const V2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
const mydocker = t.mydocker;

/** The cgroup path of `controller` in a /proc/PID/cgroup text ("" is v2's unified line). */
function cgroupOf(procCgroup: string, controller: string): string | undefined {
  for (const line of procCgroup.trim().split('\n')) {
    const [, list, p] = line.split(':');
    if (V2 ? list === '' : list!.split(',').includes(controller)) return p;
  }
  return undefined;
}

function limitFile(controller: string, cg: string, v1: string, v2: string): string {
  return V2 ? path.join('/sys/fs/cgroup', cg, v2) : path.join('/sys/fs/cgroup', controller, cg, v1);
}

test('the container is in a cgroup of its own, holding the limits', async () => {
  // The container prints its /proc/self/cgroup and waits on stdin while we look.
  const s = startSession(
    STAGE,
    [
      'run',
      '-i',
      '-m',
      '100m',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      '0',
      'sh',
      '-c',
      'sleep 0.2; cat /proc/self/cgroup; echo END; read x',
    ],
    { root: t.root },
  );
  const [text] = await s.waitOutput(/[^]*END\n/);
  const mem = cgroupOf(text, 'memory');
  assert.match(mem ?? '', /\/mydocker-[^/]*[0-9a-f]{12}$/, `memory cgroup inside: ${text}`);
  for (const c of ['cpu', 'cpuset', 'pids']) assert.is(cgroupOf(text, c), mem, `${c} cgroup differs from memory's`);

  const read = (c: string, v1: string, v2: string) => fs.readFileSync(limitFile(c, mem!, v1, v2), 'utf8').trim();
  assert.is(read('memory', 'memory.limit_in_bytes', 'memory.max'), String(100 * 1024 * 1024));
  assert.is(read('cpu', 'cpu.shares', 'cpu.weight'), V2 ? '59' : '512');
  assert.is(read('cpuset', 'cpuset.cpus', 'cpuset.cpus'), '0');
  s.send('done\n');
  const r = await s.finish();
  assert.is(r.code, 0, r.stderr);
  assertHostClean(t.before);
});

test('--cpuset-cpus 0 pins the container to CPU 0', async () => {
  const r = await mydocker(['run', '--cpuset-cpus', '0', 'grep', 'Cpus_allowed_list', '/proc/self/status']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Cpus_allowed_list:\s+0\n/);
});

test("the book's spellings -cpushare and -cpuset work too", async () => {
  const r = await mydocker([
    'run',
    '-cpushare',
    '256',
    '-cpuset',
    '0',
    'grep',
    'Cpus_allowed_list',
    '/proc/self/status',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Cpus_allowed_list:\s+0\n/);
});

test('a process allocating past -m 32m is OOM-killed: exit 137 and a message', async () => {
  // The shell holds ~100 MB of "x" in a variable: far past the limit.
  const r = await mydocker([
    'run',
    '-m',
    '32m',
    'sh',
    '-c',
    'a=$(head -c 100000000 /dev/zero | tr "\\0" x); echo survived ${#a}',
  ]);
  assert.is(r.code, 137, `exit ${r.code}: ${r.stderr}`);
  assert.not.match(r.stdout, /survived/);
  assert.match(r.stderr, /out of memory/);
  assertHostClean(t.before);
});

test('the same program under a large limit is not killed', async () => {
  const r = await mydocker([
    'run',
    '-m',
    '1g',
    'sh',
    '-c',
    'a=$(head -c 10000000 /dev/zero | tr "\\0" x); echo survived ${#a}',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /survived 10000000/);
});

test('no cgroup is left after the container exits', async () => {
  const r = await mydocker(['run', '-m', '64m', 'sh', '-c', 'exit 7']);
  assert.is(r.code, 7, r.stderr);
  assertHostClean(t.before);
});

test('a killed runtime takes its container along; cleanup removes the cgroup it left', async () => {
  const marker = uniqueName('cg-rtkill');
  const runtime = startCli(STAGE, ['run', '-m', '64m', 'sh', '-c', `sleep 1000; : ${marker}`], { root: t.root });
  const done = collect(runtime);
  const sh = await waitForProcess(marker, 'sh');
  runtime.kill('SIGKILL');
  await done;
  await waitFor(() => (findProcesses(marker, 'sh').includes(sh) ? undefined : true), 10_000, 'the container to die');
  const left = runtimeCgroups().filter((c) => !t.before.cgroups.includes(c));
  assert.ok(left.length > 0, 'expected the killed runtime to leave its cgroup');
  const r = await mydocker(['cleanup']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /removed 1 stale container/);
  assertHostClean(t.before);
  assert.equal(fs.readdirSync(path.join(t.root, 'containers')), []);
});

test('bad limits fail with a clear error and exit 125 before anything is created', async () => {
  const cases: [string[], RegExp][] = [
    [['-m', 'lots', 'true'], /invalid size "lots"/],
    [['-m', '0', 'true'], /minimum is 6m/],
    [['--cpuset-cpus', '99', 'true'], /--cpuset-cpus "99"/],
    [['--cpuset-cpus', 'zero', 'true'], /--cpuset-cpus "zero"/],
    [['--cpu-shares', '1', 'true'], /--cpu-shares "1"/],
    [['-m', 'true', 'sh'], /invalid size "true"/], // the value is taken even where a command was meant
    [['-m'], /needs a value/],
  ];
  for (const [flags, message] of cases) {
    const r = await mydocker(['run', ...flags]);
    assert.is(r.code, 125, `${flags.join(' ')}: exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at /, 'printed a stack trace');
  }
  assertHostClean(t.before);
});

test.run();
