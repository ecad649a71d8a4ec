// Chapter 5.2 — `ps`: one line per container, from the state files. Like the book's
// `mydocker ps`, it lists every container, running or not (-a is accepted for Docker
// users' habits and changes nothing). `-q` prints the ids alone, one a line, for scripts
// (`rm $(mydocker ps -q)`); `--no-trunc` is accepted too: nothing is cut here.
//
// There is no IMAGE column yet: until chapter 5.7 every container runs on busybox, and
// the state does not say so. 5.7 adds the column (solutions/5.7/ps.ts).

import { UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { listStates, isRunning, statusText, type ContainerState } from './state.ts';

export const PS_FLAGS: FlagSpec[] = [
  { name: 'all', aliases: ['a'], kind: 'bool', help: 'List every container (ps always does; for Docker habits)' },
  { name: 'quiet', aliases: ['q'], kind: 'bool', help: 'Print the ids alone, one a line' },
  { name: 'no-trunc', kind: 'bool', help: 'Cut nothing (ps never does; for Docker habits)' },
];

/** The command line as a shell would take it back: arguments with spaces are quoted. */
export function showCommand(argv: string[]): string {
  return argv.map((a) => (a === '' || /[\s'"\\$`*?]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/** A time as `ps` and `images` show it: "2026-11-29 01:02:03", local time (the book's format). */
export function showTime(when: string | Date): string {
  const d = new Date(when);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function psRows(states: ContainerState[]): string[][] {
  // exercise: one row per container: ID, NAME, PID, STATUS, COMMAND, CREATED
  return states.map((s) => [
    s.id,
    s.name,
    isRunning(s) ? String(s.pid) : '-',
    statusText(s),
    showCommand(s.command),
    showTime(s.created),
  ]);
  // end exercise
}

/** Columns padded to their widest cell, two spaces apart (like Go's tabwriter). */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * `ps` with a stage's columns: `list` reads the states, `rows` makes one row of cells
 * under `header` for each. Later chapters add columns (5.7's IMAGE, 6.3's IP) with it.
 */
export function psWith<S extends ContainerState>(
  args: string[],
  list: () => S[],
  header: string[],
  rows: (states: S[]) => string[][],
): number {
  const { flags, rest } = parseFlags(args, PS_FLAGS);
  if (rest.length) throw new UsageError(`ps: unexpected ${rest.join(' ')} (usage: ps [-a] [-q] [--no-trunc])`);
  const states = list();
  if (flags.quiet) {
    for (const s of states) console.log(s.id);
    return 0;
  }
  console.log(table(header, rows(states)));
  return 0;
}

export function ps(args: string[]): number {
  return psWith(args, () => listStates(), ['ID', 'NAME', 'PID', 'STATUS', 'COMMAND', 'CREATED'], psRows);
}
