// Runs inside the test VM (started by init.sh as the last step of boot): says what the
// VM's cgroup setup is, then runs the tests that need cgroup v2 with real controllers on
// the final stage, two at a time (the VM has two CPUs). Output goes out as it comes, each
// line prefixed with its job's label (so a VM killed on its timeout still shows where it
// was); for the host (run.ts) each job ends with "mydocker-vm: job <label>: passed P failed F".

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHAPTERS } from '../../workshop/chapters.ts';
import { REPO } from '../harness.ts';
import { spawn } from 'node:child_process';
import { countResults, uvuArgs, type Job } from '../test-all.ts';

const FINAL = path.join(REPO, 'solutions', CHAPTERS.at(-1)!.tag);

/** What runs in the VM: [label, dir, file pattern]. */
export const VM_TESTS: [string, string, string][] = [
  ['3.2 cgroups', 'chapters/3.2-cgroups', '\\.test\\.ts$'],
  ['4.3 volumes', 'chapters/4.3-volumes', '\\.test\\.ts$'],
  ['5.6 lifecycle', 'chapters/5.6-rm', 'lifecycle\\.test\\.ts$'],
  ['doctor on v2', 'src/testing/vm', '\\.test\\.ts$'],
];

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '(unreadable)';
  }
}

/** Run one uvu job, its output streamed line by line under `[label]`. */
function runStreamed(j: Job): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, uvuArgs(j), {
      cwd: REPO,
      env: { ...process.env, ...j.env, FORCE_COLOR: '0' },
    });
    let output = '';
    let partial = '';
    const take = (d: Buffer) => {
      output += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop()!;
      for (const l of lines) if (l.trim()) process.stdout.write(`[${j.label}] ${l}\n`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      if (partial.trim()) process.stdout.write(`[${j.label}] ${partial}\n`);
      resolve(countResults(code, output));
    });
  });
}

async function main(): Promise<number> {
  const mounts = read('/proc/self/mountinfo')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l));
  const kinds = mounts.map((l) => `${l.split(' ')[4]} (${l.split(' - ')[1]!.split(' ')[0]})`);
  process.stdout.write(
    `mydocker-vm: kernel ${os.release()}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 20)} MiB\n` +
      `mydocker-vm: cgroup mounts: ${kinds.join(', ') || 'none'}\n` +
      `mydocker-vm: cgroup2 controllers: ${read('/sys/fs/cgroup/cgroup.controllers')}\n` +
      `mydocker-vm: enabled for children: ${read('/sys/fs/cgroup/cgroup.subtree_control')}\n` +
      `mydocker-vm: stage ${path.relative(REPO, FINAL)}\n`,
  );
  const only = process.env.MYDOCKER_VM_ONLY;
  const jobs: Job[] = VM_TESTS.filter(([label]) => !only || label.startsWith(only)).map(([label, dir, pattern]) => ({
    label,
    dir,
    pattern,
    env: { MYDOCKER_STAGE: FINAL, MYDOCKER_VM: '1' },
  }));
  const queue = [...jobs];
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(2, os.cpus().length) }, async () => {
      for (let j = queue.shift(); j; j = queue.shift()) {
        const started = Date.now();
        const r = await runStreamed(j);
        failed += r.failed;
        const secs = ((Date.now() - started) / 1000).toFixed(0);
        process.stdout.write(`mydocker-vm: job ${j.label}: passed ${r.passed} failed ${r.failed} (${secs}s)\n`);
      }
    }),
  );
  return failed ? 1 : 0;
}

process.exitCode = await main();
