// The timed rounds of `npm run bench` (bench.ts), in plain JavaScript: a process as small
// as Node makes one. Node forks the process that spawns a command (libuv, on Linux), and
// a fork costs more the more memory the process maps; timed from the bench itself (tsx
// and the bench's modules loaded) every command took a few milliseconds longer, the same
// for every row, which made mydocker's ratio to runc look smaller than it is.
//
//   node src/workshop/bench-driver.mjs ROWS.json    prints {"row name": [ms, ...], ...}
//
// ROWS.json: { rounds, rows: [{ name, steps: [{ file, args, env }] }] }; a row's steps run
// in turn within one timing, `env` adds to (null: removes from) this process's environment,
// `@N` in an argument becomes a number unique to each run. Rounds interleave the rows.
// bench-compare.mjs times its commands with the same timeRounds.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

let fresh = 0;

/**
 * Time `rounds` rounds of `rows` ([{ name, steps: [{ file, args, env }] }]), the rows
 * interleaved; returns { "row name": [ms, ...] }. Throws on a step that exits with a
 * status other than 0.
 */
export function timeRounds(rows, rounds) {
  const prepared = rows.map((row) => ({
    name: row.name,
    steps: row.steps.map((step) => {
      const env = { ...process.env };
      for (const [k, v] of Object.entries(step.env ?? {})) {
        if (v === null) delete env[k];
        else env[k] = v;
      }
      return { file: step.file, args: step.args, env };
    }),
  }));
  const times = Object.fromEntries(rows.map((row) => [row.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const row of prepared) {
      const t0 = process.hrtime.bigint();
      for (const step of row.steps) {
        const args = step.args.map((a) => a.replaceAll('@N', `${process.pid}-${fresh++}`));
        const r = spawnSync(step.file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: step.env, encoding: 'utf8' });
        if (r.status !== 0)
          throw new Error(`bench: ${row.name}: ${step.file} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
      }
      times[row.name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return times;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rounds, rows } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  try {
    process.stdout.write(JSON.stringify(timeRounds(rows, rounds)));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}
