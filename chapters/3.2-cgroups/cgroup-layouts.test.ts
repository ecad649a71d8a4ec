// Chapter 3.2 unit tests of both cgroup layouts against fake cgroup trees in a temp dir
// (this machine may have only one layout with controllers): the right files get the
// right values, and a cgroup is removed again.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runtimeCgroups, stageFile } from '../../src/testing/harness.ts';

const cg: typeof import('../../solutions/3.2/cgroups/cgroup.ts') = await import(stageFile('3.2', 'cgroups/cgroup.ts'));

let fake = '';
test.before.each(() => {
  fake = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-fakecg-'));
});
test.after.each(() => fs.rmSync(fake, { recursive: true, force: true }));

const read = (...p: string[]) => fs.readFileSync(path.join(fake, ...p), 'utf8');

test('v2 is detected by cgroup.controllers; limits go to memory.max, cpu.weight, cpuset.cpus, pids.max', async () => {
  fs.writeFileSync(path.join(fake, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  fs.writeFileSync(path.join(fake, 'cgroup.subtree_control'), '');
  assert.is(cg.cgroupVersion(fake), 2);
  const c = cg.createCgroup(
    'mydocker-test',
    { memory: 64 * 1024 * 1024, cpuShares: 512, cpusetCpus: '0', pidsLimit: 50 },
    fake,
  );
  assert.equal(c.dirs, [path.join(fake, 'mydocker-test')]);
  assert.is(read('mydocker-test', 'memory.max'), String(64 * 1024 * 1024));
  assert.is(read('mydocker-test', 'cpu.weight'), '59');
  assert.is(read('mydocker-test', 'cpuset.cpus'), '0');
  assert.is(read('mydocker-test', 'pids.max'), '50');
  // The controllers were enabled for children in the parent, the last one written being pids.
  assert.is(read('cgroup.subtree_control'), '+pids');
  c.addProcess(4242);
  assert.is(read('mydocker-test', 'cgroup.procs'), '4242');
});

test('v1: a directory per controller; cpuset copies cpus and mems from its parent', async () => {
  for (const ctl of ['memory', 'cpu', 'cpuset', 'pids']) fs.mkdirSync(path.join(fake, ctl));
  fs.writeFileSync(path.join(fake, 'cpuset', 'cpuset.cpus'), '0-1');
  fs.writeFileSync(path.join(fake, 'cpuset', 'cpuset.mems'), '0');
  assert.is(cg.cgroupVersion(fake), 1);
  const c = cg.createCgroup('mydocker-test', { memory: 32 * 1024 * 1024, cpuShares: 256 }, fake);
  assert.equal(
    c.dirs.sort(),
    ['cpu', 'cpuset', 'memory', 'pids'].map((x) => path.join(fake, x, 'mydocker-test')),
  );
  assert.is(read('memory', 'mydocker-test', 'memory.limit_in_bytes'), String(32 * 1024 * 1024));
  assert.is(read('cpu', 'mydocker-test', 'cpu.shares'), '256');
  assert.is(read('cpuset', 'mydocker-test', 'cpuset.cpus'), '0-1');
  assert.is(read('cpuset', 'mydocker-test', 'cpuset.mems'), '0');
});

test('a real cgroup on this machine is created and removed again', async () => {
  const name = `mydocker-unit-${process.pid}`;
  try {
    const c = cg.createCgroup(name, { memory: 64 * 1024 * 1024 });
    for (const d of c.dirs) assert.ok(fs.existsSync(d), d);
    await c.destroy();
    for (const d of c.dirs) assert.not.ok(fs.existsSync(d), `${d} is still there after destroy()`);
  } finally {
    // Whatever a half-done createCgroup or destroy left on the host goes (it has no processes).
    for (const d of runtimeCgroups(name)) fs.rmdirSync(d);
  }
});

test.run();
