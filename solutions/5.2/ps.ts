// Chapter 5.2 — `ps`: one line per container, from the state files. Like the book's
// `mydocker ps`, it lists every container, running or not (-a is accepted for Docker
// users' habits and changes nothing).

import { UsageError } from '../../src/runtime/errors.ts';
import { listStates, isRunning, statusText, type ContainerState } from './state.ts';

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

export function ps(args: string[]): number {
  const unknown = args.filter((a) => a !== '-a' && a !== '--all');
  if (unknown.length) throw new UsageError(`ps: unexpected ${unknown.join(' ')} (usage: ps [-a])`);
  console.log(table(['ID', 'NAME', 'PID', 'STATUS', 'COMMAND', 'CREATED'], psRows(listStates())));
  return 0;
}
