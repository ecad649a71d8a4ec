// Chapter 3.2 unit tests: size parsing, the v1 shares → v2 weight conversion and the
// cpuset check, imported from the stage under test.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertThrows, stageFile } from '../../src/testing/harness.ts';

const res: typeof import('../../solutions/3.2/cgroups/resources.ts') = await import(
  stageFile('3.2', 'cgroups/resources.ts')
);

test('parseSize: units are powers of 1024', () => {
  assert.is(res.parseSize('100m'), 100 * 1024 * 1024);
  assert.is(res.parseSize('1G'), 1024 ** 3);
  assert.is(res.parseSize('512k'), 512 * 1024);
  assert.is(res.parseSize('4096'), 4096);
  assert.is(res.parseSize('64MiB'), 64 * 1024 * 1024);
  assert.is(res.parseSize('1.5g'), 1.5 * 1024 ** 3);
});

test('parseSize: rejects what is not a size', () => {
  for (const bad of ['lots', '', '-1m', '10x', 'm']) {
    assertThrows(() => res.parseSize(bad), /invalid size/, bad);
  }
});

test("sharesToWeight: runc's mapping keeps min, default and max", () => {
  assert.is(res.sharesToWeight(2), 1);
  assert.is(res.sharesToWeight(1024), 100);
  assert.is(res.sharesToWeight(262144), 10000);
  assert.is(res.sharesToWeight(512), 59);
  assert.is(res.sharesToWeight(2048), 174);
  let last = 0;
  for (let s = 2; s <= 262144; s *= 2) {
    const w = res.sharesToWeight(s);
    assert.ok(w >= last && w >= 1 && w <= 10000, `weight ${w} for ${s} shares`);
    last = w;
  }
});

test('checkCpuset: lists and ranges within the machine', () => {
  assert.is(res.checkCpuset('0', 2), '0');
  assert.is(res.checkCpuset('0-1', 2), '0-1');
  assertThrows(() => res.checkCpuset('2', 2), /CPUs 0-1/);
  assertThrows(() => res.checkCpuset('1-0', 2), /backwards/);
  assertThrows(() => res.checkCpuset('a', 2), /invalid/);
});

test('parseResources: reads the flags, leaves unset ones out', () => {
  assert.equal(res.parseResources({ memory: '100m', 'cpu-shares': '512' }), { memory: 104857600, cpuShares: 512 });
  assert.equal(res.parseResources({}), {});
  assertThrows(() => res.parseResources({ memory: '1k' }), /minimum is 6m/);
  assertThrows(() => res.parseResources({ 'pids-limit': '0' }), /--pids-limit/);
  // pids.max counts init's Node threads too: too small a limit is refused, not a crash.
  assertThrows(() => res.parseResources({ 'pids-limit': '10' }), /--pids-limit "10": use a whole number from 32/);
  assert.equal(res.parseResources({ 'pids-limit': '32' }), { pidsLimit: 32 });
});

test.run();
