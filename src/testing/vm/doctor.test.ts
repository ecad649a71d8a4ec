// `npm run doctor` on pure cgroup v2 (run in the VM by inside.ts; skipped elsewhere with
// the reason): it reports v2 at the root of the tree with the four controllers, and a
// delegated subtree lacking a controller as such, with the fix.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCgroupVersion, checkController, type CheckResult } from '../../workshop/doctor.ts';
import { REPO } from '../harness.ts';

const ROOT = '/sys/fs/cgroup';
const pureV2 = process.env.MYDOCKER_VM === '1' && fs.existsSync(path.join(ROOT, 'cgroup.controllers'));
if (!pureV2) console.log('doctor.test.ts (vm): skipped: runs only inside the cgroup v2 VM (npm run test:vm)');
const vmTest = pureV2 ? test : test.skip;

vmTest('doctor --json: cgroup v2 at the root of the tree, memory, cpu, cpuset and pids ok', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/workshop/doctor.ts'), '--json'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = run.stdout;
  const report = JSON.parse(out) as { ok: boolean; checks: CheckResult[] };
  const results = report.checks;
  const fails = results.filter((r) => r.status === 'fail').map((r) => `${r.label}: ${r.fix}`);
  assert.equal(fails, [], 'doctor found problems in the VM');
  assert.is(run.status, 0);
  const byId = (id: string) => results.find((r) => r.id === id);
  const version = byId('cgroup.version');
  assert.ok(version, out);
  assert.is(version!.value, 'v2');
  assert.is(version!.status, 'ok');
  assert.match(version!.label, /root of the tree/);
  for (const c of ['memory', 'cpu', 'cpuset', 'pids'])
    assert.is(byId(`cgroup.${c}`)?.status, 'ok', `${c}: ${byId(`cgroup.${c}`)?.label}`);
});

vmTest('a delegated subtree: named as one; a controller its parent does not enable fails with the fix', () => {
  const sub = path.join(ROOT, `doctor-${process.pid}`);
  fs.mkdirSync(sub);
  try {
    fs.writeFileSync(path.join(sub, 'cgroup.subtree_control'), '+pids');
    fs.mkdirSync(path.join(sub, 'inner'));
    const inner = path.join(sub, 'inner');
    const v = checkCgroupVersion(inner);
    assert.is(v.value, 'v2');
    assert.match(v.label, /delegated subtree/);
    assert.is(checkController('pids', false, inner).status, 'ok');
    const mem = checkController('memory', true, inner);
    assert.is(mem.status, 'fail');
    assert.match(mem.fix!, /not delegated: .* write \+memory to the parent's cgroup.subtree_control/);
  } finally {
    try {
      fs.rmdirSync(path.join(sub, 'inner'));
    } catch {
      /* gone */
    }
    fs.rmdirSync(sub);
  }
});

test.run();
