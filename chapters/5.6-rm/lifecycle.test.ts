// The whole life of a detached container, as a user lives it: run -d, ps, logs, exec,
// stop, rm — and afterwards the host is exactly as before (mounts, cgroups), nothing is
// left under the state root but images, and the volume's data is still there.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest } from '../../src/testing/harness.ts';
import { killAllContainers } from '../../src/testing/containers.ts';

const t = perTest(test, '5.6', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;

function psRow(stdout: string, name: string): string[] | undefined {
  return stdout
    .split('\n')
    .map((l) => l.split(/\s{2,}/))
    .find((c) => c[1] === name);
}

test('run -d, ps, logs, exec, stop, rm: then the host is clean', async () => {
  const vol = path.join(t.root, 'vol');
  const script = `echo hello from life; echo data > /data/f; trap 'echo got TERM; exit 0' TERM; while :; do sleep 0.1; done`;
  const run = await mydocker(['run', '-d', '--name', 'life', '-m', '64m', '-v', `${vol}:/data`, 'sh', '-c', script]);
  assert.is(run.code, 0, run.stderr);
  const id = run.stdout.trim();

  // ps: running, with its pid
  const ps = await mydocker(['ps']);
  const life = psRow(ps.stdout, 'life');
  assert.is(life?.[0], id);
  assert.is(life?.[3], 'running');
  assert.match(life?.[2] ?? '', /^\d+$/);

  // logs: what it printed
  let logs = '';
  for (let i = 0; i < 100 && !logs.includes('hello'); i++) {
    logs = (await mydocker(['logs', 'life'])).stdout;
    if (!logs.includes('hello')) await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(logs, 'hello from life\n');

  // exec: inside it, seeing its files and its volume
  const ex = await mydocker([
    'exec',
    'life',
    'sh',
    '-c',
    'cat /data/f; echo via-exec > /tmp/x; cat /tmp/x; hostname >/dev/null; cat /proc/1/cmdline | tr "\\0" " "',
  ]);
  assert.is(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /^data\nvia-exec\nsh -c echo hello from life/);

  // stop: SIGTERM reaches its handler
  const stop = await mydocker(['stop', 'life']);
  assert.is(stop.code, 0, stop.stderr);
  const stopped = psRow((await mydocker(['ps'])).stdout, 'life');
  assert.is(stopped?.[3], 'exited (0)');
  assert.is((await mydocker(['logs', 'life'])).stdout, 'hello from life\ngot TERM\n');

  // rm: gone from ps and from disk
  const rm = await mydocker(['rm', 'life']);
  assert.is(rm.code, 0, rm.stderr);
  assert.equal((await mydocker(['ps'])).stdout.trim().split('\n').length, 1, 'ps lists a removed container');
  assert.equal(fs.readdirSync(path.join(t.root, 'containers')), []);
  assert.equal(fs.existsSync(path.join(t.root, 'names')) ? fs.readdirSync(path.join(t.root, 'names')) : [], []);
  assert.is(fs.readFileSync(path.join(vol, 'f'), 'utf8'), 'data\n');
  assertHostClean(t.before, 'after the whole life of a container');
});

test.run();
