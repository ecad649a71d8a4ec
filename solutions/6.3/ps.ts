// Chapter 6.3 — `ps` shows each running container's address (or "-"), after its status.

import { psWith } from '../5.2/ps.ts';
import { isRunning, listStates } from '../5.2/state.ts';
import { imageRows, PS_HEADER, type ImageState } from '../5.7/ps.ts';
import type { NetworkState } from './endpoint.ts';

export function ps(args: string[]): number {
  const header = [...PS_HEADER.slice(0, 4), 'IP', ...PS_HEADER.slice(4)];
  return psWith(
    args,
    () => listStates<NetworkState & ImageState>(),
    header,
    (states) => {
      const ipOf = (i: number) => (isRunning(states[i]!) && states[i]!.ip) || '-';
      return imageRows(states).map((row, i) => [...row.slice(0, 4), ipOf(i), ...row.slice(4)]);
    },
  );
}
