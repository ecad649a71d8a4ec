// Chapter 6.3 — `ps` shows each running container's address (or "-"), after its status.

import { UsageError } from '../../src/runtime/errors.ts';
import { psRows, table } from '../5.2/ps.ts';
import { isRunning, listStates } from '../5.2/state.ts';
import type { NetworkState } from './endpoint.ts';

export function ps(args: string[]): number {
  const unknown = args.filter((a) => a !== '-a' && a !== '--all');
  if (unknown.length) throw new UsageError(`ps: unexpected ${unknown.join(' ')} (usage: ps [-a])`);
  const states = listStates<NetworkState>();
  const ipOf = (i: number) => (isRunning(states[i]!) && states[i]!.ip) || '-';
  const rows = psRows(states).map((row, i) => [...row.slice(0, 4), ipOf(i), ...row.slice(4)]);
  console.log(table(['ID', 'NAME', 'PID', 'STATUS', 'IP', 'COMMAND', 'CREATED'], rows));
  return 0;
}
