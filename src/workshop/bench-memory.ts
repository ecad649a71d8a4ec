// `npm run bench -- --memory [N]`: what a detached container costs in memory while it runs.
// Machinery. N detached containers (20 by default) of the final stage are started one
// after another in a state root of the bench's own, and the processes mydocker keeps for
// them — each container's monitor, named by its `owner` file; not the container's own
// command — are read from /proc/PID/smaps_rollup (man 5 proc): their Pss summed and
// divided by N, their Rss and their private memory on average. Twice: N containers that
// only sleep, then N that first write 16 MB to stdout (the monitor copies it into the
// log), each read 5 s and 60 s after the last start. Every container started is removed
// with `rm -f`, also after an error. With `--against REV` the final stage as it was at REV
// is measured the same way, before it. Prints a Markdown table ready for
// docs/performance.md.
//
// Pss (proportional set size) counts a page shared by k processes as 1/k in each: the
// node binary's ~38 MB of code are shared by every Node process on the machine, so each
// monitor's Pss depends on how many run (N of them, the bench itself, anything else).
// Private (Private_Clean + Private_Dirty) is what each monitor alone adds.

import fs from 'node:fs';
import path from 'node:path';
import { cli } from './bench-scale.ts';

/** The kB fields of /proc/PID/smaps_rollup ("Pss", "Rss", …); undefined if the process is gone. */
export function smapsRollup(pid: number): Record<string, number> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  const fields: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields[m[1]!] = Number(m[2]);
  return fields;
}

/** What the monitors of `count` containers use, per container (kB). */
export interface MemorySample {
  /** the monitors' Pss summed, divided by the number of containers */
  pss: number;
  /** of which anonymous memory (heap, stacks, malloc) */
  pssAnon: number;
  /** Private_Clean + Private_Dirty, on average: what one monitor alone adds */
  priv: number;
  /** Rss, on average */
  rss: number;
  /** Node processes on the machine when read (they share the node binary's pages) */
  nodeProcesses: number;
}

function nodeProcesses(): number {
  let n = 0;
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readlinkSync(`/proc/${p}/exe`) === process.execPath) n++;
    } catch {
      // gone, or a kernel thread
    }
  }
  return n;
}

/** Read the smaps_rollup of every monitor (pids) for `count` containers. */
export function sampleMonitors(pids: number[], count: number): MemorySample {
  const all = pids.map((pid) => {
    const f = smapsRollup(pid);
    if (!f) throw new Error(`bench --memory: the monitor ${pid} is gone`);
    return f;
  });
  const sum = (k: string) => all.reduce((a, f) => a + (f[k] ?? 0), 0);
  return {
    pss: sum('Pss') / count,
    pssAnon: sum('Pss_Anon') / count,
    priv: (sum('Private_Clean') + sum('Private_Dirty')) / all.length,
    rss: sum('Rss') / all.length,
    nodeProcesses: nodeProcesses(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commands measured: containers that only sleep, and containers that wrote to stdout first. */
export const MEMORY_WORKLOADS: Array<{ name: string; command: string[] }> = [
  { name: '`sleep 1000`', command: ['sleep', '1000'] },
  {
    name: '16 MB to stdout, then `sleep 1000`',
    command: ['sh', '-c', 'head -c 16777216 /dev/zero; sleep 1000'],
  },
];

/**
 * Start `count` detached containers of `command` with the stage `bundle` in the state
 * root `root`, read their monitors `at` ms after the last start, and remove them.
 */
export async function measureMonitors(
  bundle: string,
  root: string,
  count: number,
  command: string[],
  at: number[],
): Promise<MemorySample[]> {
  const env = { MYDOCKER_ROOT: root };
  const ids: string[] = [];
  try {
    for (let k = 0; k < count; k++) ids.push(cli(bundle, ['run', '-d', ...command], env).trim());
    const pids = ids.map((id) =>
      Number(fs.readFileSync(path.join(root, 'containers', id, 'owner'), 'utf8').split(' ')[0]),
    );
    const samples: MemorySample[] = [];
    let waited = 0;
    for (const t of at) {
      await sleep(t - waited);
      waited = t;
      samples.push(sampleMonitors(pids, count));
    }
    return samples;
  } finally {
    for (let i = 0; i < ids.length; i += 10) cli(bundle, ['rm', '-f', ...ids.slice(i, i + 10)], env);
  }
}

/** When the monitors are read, in ms after the last start. */
const SAMPLE_AT = [5_000, 60_000];

const mb = (kb: number) => (kb / 1024).toFixed(1);

/** The Markdown rows for each stage (name → bundle) and workload, read at SAMPLE_AT. */
export async function memoryRows(stages: Array<[string, string]>, root: string, count: number): Promise<string[]> {
  const rows = [
    `| ${count} detached containers: their monitors | after | Pss per container MB | of it anonymous | private per monitor | Rss per monitor | Node processes |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const workload of MEMORY_WORKLOADS) {
    for (const [name, bundle] of stages) {
      const samples = await measureMonitors(bundle, root, count, workload.command, SAMPLE_AT);
      samples.forEach((s, i) =>
        rows.push(
          `| ${name}, ${workload.name} | ${SAMPLE_AT[i]! / 1000} s | ${mb(s.pss)} | ${mb(s.pssAnon)} | ${mb(s.priv)} | ${mb(s.rss)} | ${s.nodeProcesses} |`,
        ),
      );
    }
  }
  return rows;
}
