// Chapter 5.7 — `ps` shows each container's image: IMAGE, before COMMAND (the state has
// recorded it since this chapter's `run`; a container started by an earlier stage ran
// on busybox, the only image there was).

import { psRows, psWith } from '../5.2/ps.ts';
import { listStates, type StateWith } from '../5.2/state.ts';
import { DEFAULT_IMAGE } from './cli.ts';

/** What 5.7 adds to the state. */
export interface ImageState {
  image: string;
}

export const PS_HEADER = ['ID', 'NAME', 'PID', 'STATUS', 'IMAGE', 'COMMAND', 'CREATED'];

/** 5.2's rows with the image before the command. */
export function imageRows(states: StateWith<ImageState>[]): string[][] {
  return psRows(states).map((row, i) => [...row.slice(0, 4), states[i]!.image ?? DEFAULT_IMAGE, ...row.slice(4)]);
}

export function ps(args: string[]): number {
  return psWith(args, () => listStates<ImageState>(), PS_HEADER, imageRows);
}
