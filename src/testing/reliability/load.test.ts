// Reliability under load, on the final stage (or MYDOCKER_STAGE): many containers at
// once, and many one after another, leave the host exactly as they found it and lose
// no volume data. Machinery tests (no chapter owns them); `npm test` runs them.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAPTERS } from '../../workshop/chapters.ts';
import { assertHostClean, collect, perTest, runCli, startCli, uniqueName, waitForProcess } from '../harness.ts';

const t = perTest(test, CHAPTERS.at(-1)!.tag);
const STAGE = t.stage;
const SEQUENTIAL = Number(process.env.MYDOCKER_SEQUENTIAL_RUNS || 200);
const leftovers = t.leftovers;

test('20 containers at once, each writing its own volume: all succeed, data exact, host clean', async () => {
  const n = 20;
  const runs = Array.from({ length: n }, (_, i) => {
    const vol = path.join(t.root, 'volumes', `v${i}`);
    const script = `i=0; while [ $i -lt 100 ]; do echo "$i container-${i}" >> /data/log; i=$((i+1)); done; wc -l < /data/log`;
    return runCli(STAGE, ['run', '-m', '64m', '-v', `${vol}:/data`, 'sh', '-c', script], {
      root: t.root,
      timeoutMs: 180_000,
    });
  });
  const results = await Promise.all(runs);
  results.forEach((r, i) => {
    assert.is(r.code, 0, `container ${i}: exit ${r.code}: ${r.stderr}`);
    assert.is(r.stdout.trim(), '100', `container ${i}`);
    const lines = fs
      .readFileSync(path.join(t.root, 'volumes', `v${i}`, 'log'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(
      lines,
      Array.from({ length: 100 }, (_, k) => `${k} container-${i}`),
      `volume ${i}`,
    );
  });
  assert.equal(leftovers(), []);
  assertHostClean(t.before);
});

/** What the runtime process holds open, as "fd target" (e.g. "3 anon_inode:[eventpoll]"). */
function fdsOf(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return `${fd} ${fs.readlinkSync(`/proc/${pid}/fd/${fd}`)}`;
    } catch {
      return `${fd} ?`;
    }
  });
}

test('the runtime holds no namespace or state-root fd while its container runs', async () => {
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const marker = `${uniqueName('fd-check')}-${i}`;
    const child = startCli(STAGE, ['run', 'sh', '-c', `sleep 1000; : ${marker}`], { root: t.root });
    const done = collect(child);
    const sh = await waitForProcess(marker, 'sh');
    // What it holds for good: the fds seen in two looks 200 ms apart (a file it reads
    // at the moment of one look, such as the container's state, is not held).
    const first = fdsOf(child.pid!);
    await new Promise((r) => setTimeout(r, 200));
    const fds = fdsOf(child.pid!).filter((fd) => first.includes(fd));
    const targets = fds.map((f) => f.slice(f.indexOf(' ') + 1));
    assert.not.ok(
      targets.some((target) => /^(pid|mnt|net|uts|ipc):\[/.test(target) || target.includes('/ns/')),
      `namespace fd held: ${fds}`,
    );
    assert.not.ok(
      targets.some((target) => target.startsWith(t.root)),
      `state root fd held: ${fds}`,
    );
    counts.push(fds.length);
    process.kill(sh, 'SIGKILL');
    await done;
  }
  assert.ok(
    counts.every((c) => c === counts[0]),
    `the runtime's fd count varies between runs: ${counts}`,
  );
  assertHostClean(t.before);
});

test(`${SEQUENTIAL} runs one after another leak nothing`, async () => {
  const vol = path.join(t.root, 'seq');
  for (let i = 0; i < SEQUENTIAL; i++) {
    const r = await runCli(STAGE, ['run', '-v', `${vol}:/v`, 'sh', '-c', `echo ${i} >> /v/count`], { root: t.root });
    assert.is(r.code, 0, `run ${i}: ${r.stderr}`);
  }
  const lines = fs.readFileSync(path.join(vol, 'count'), 'utf8').trim().split('\n');
  assert.is(lines.length, SEQUENTIAL);
  assert.equal(leftovers(), []);
  // The state root holds the image and the volume, and nothing else.
  assert.equal(fs.readdirSync(t.root).sort(), ['containers', 'images', 'seq']);
  assertHostClean(t.before, `after ${SEQUENTIAL} runs`);
});

test.run();
