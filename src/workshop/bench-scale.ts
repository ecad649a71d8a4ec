// `npm run bench -- --scale [N]`: whether a start or a `ps` grows with the number of
// containers (state files, monitors, cgroups). Machinery. N detached containers (50 by
// default) are started one after another, each timed; `ps` is timed at a few counts on
// the way; every container started is removed with `rm -f` at the end, also after an error.
// Prints a Markdown table ready for docs/performance.md.

import { spawnSync } from 'node:child_process';
import { median } from './bench-driver.mjs';

/** Run the stage's CLI; returns its stdout, or throws with its stderr. */
export function cli(bundle: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [bundle, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`mydocker ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function timed(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Start `count` detached `sleep` containers with the stage `bundle` in the state root
 * `root` (which has the busybox image), timing each start and `ps` on the way.
 */
export function scaleRows(bundle: string, root: string, count: number): string[] {
  const env = { MYDOCKER_ROOT: root };
  const names: string[] = [];
  const starts: number[] = [];
  const ps = new Map<number, number>();
  // ps with 0, 1, 10, 25 and `count` containers: the median of 5 calls each.
  const psAt = new Set([0, 1, 10, 25, count]);
  const timePs = (n: number) => {
    const xs = Array.from({ length: 5 }, () => timed(() => cli(bundle, ['ps'], env)));
    ps.set(n, median(xs));
  };
  try {
    timePs(0);
    for (let k = 1; k <= count; k++) {
      const name = `scale-${process.pid}-${k}`;
      starts.push(
        timed(() => {
          cli(bundle, ['run', '-d', '--name', name, 'sleep', '1000'], env);
          names.push(name);
        }),
      );
      if (psAt.has(k)) timePs(k);
    }
    const listed = cli(bundle, ['ps'], env)
      .split('\n')
      .filter((l) => l.includes(`scale-${process.pid}-`)).length;
    if (listed !== count) throw new Error(`ps lists ${listed} of the ${count} containers started`);
  } finally {
    // Every container started, removed (a running one killed first), in batches.
    const t = timed(() => {
      for (let i = 0; i < names.length; i += 10) cli(bundle, ['rm', '-f', ...names.slice(i, i + 10)], env);
    });
    if (names.length) console.error(`bench --scale: removed ${names.length} containers in ${t.toFixed(0)} ms`);
  }
  const first5 = median(starts.slice(0, 5));
  const last5 = median(starts.slice(-5));
  // Least-squares slope of start time over the container's number: ms per container more.
  const xm = (count + 1) / 2;
  const ym = starts.reduce((a, b) => a + b, 0) / count;
  const slope =
    starts.reduce((a, y, i) => a + (i + 1 - xm) * (y - ym), 0) / starts.reduce((a, _, i) => a + (i + 1 - xm) ** 2, 0);
  return [
    `| ${count} detached \`run -d sleep 1000\`, one after another | ms |`,
    '|---|---:|',
    `| start #1 | ${starts[0]!.toFixed(1)} |`,
    `| start #${count} | ${starts.at(-1)!.toFixed(1)} |`,
    `| starts #1–5, median | ${first5.toFixed(1)} |`,
    `| starts #${count - 4}–${count}, median | ${last5.toFixed(1)} |`,
    `| all ${count} starts, median | ${median(starts).toFixed(1)} |`,
    `| growth: least-squares slope of a start over the number of containers, ms per container | ${slope.toFixed(2)} |`,
    ...[...ps].map(([n, m]) => `| \`ps\` with ${n} containers (median of 5) | ${m.toFixed(1)} |`),
  ];
}
