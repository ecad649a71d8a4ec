// Chapter 5.7 — `run [OPTIONS] IMAGE COMMAND…`: the first argument after the options
// names the image, as in Docker.
//
// The earlier chapters' `run sh -c …` has no image in it, and must keep working. The
// rule: if the first argument is the name of an image under the state root (or
// "busybox", which is built on first use) it is the image, and the command follows it;
// otherwise the whole rest is the command, run on the default busybox image. So
// `run busybox sh` and `run sh` both start sh on busybox, `run myimage ls` runs ls on
// myimage. (An image named like a command — `sh` — would take the first reading; name
// images as Docker users do and it never happens.)

import { extendCommandLine, type CommandLine } from '../../src/runtime/command-line.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { listImages } from '../../src/runtime/image.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { runCommandLine as base, type RunOptions as BaseOptions } from '../5.2/cli.ts';

export const DEFAULT_IMAGE = 'busybox';

export interface RunOptions extends BaseOptions {
  image: string;
}

/** Split "IMAGE COMMAND…" or "COMMAND…" (see the top of this file). */
export function splitImage(rest: string[], images: string[]): { image: string; command: string[] } {
  // exercise: take the first argument as the image if it names one, else run everything on busybox
  const [first, ...after] = rest;
  if (first !== undefined && (first === DEFAULT_IMAGE || images.includes(first))) {
    if (after.length === 0)
      throw new UsageError(`run: missing the command to run in image ${first} (e.g. run ${first} sh)`);
    return { image: first, command: after };
  }
  return { image: DEFAULT_IMAGE, command: rest };
  // end exercise
}

export const runCommandLine: CommandLine<RunOptions> = extendCommandLine(base, {
  flags: [],
  operands: '[IMAGE] COMMAND [ARG...]',
  notes: [`IMAGE is one of \`mydocker images\`; without it the command runs on ${DEFAULT_IMAGE}.`],
  options: (_flags, opts) => splitImage(opts.command, listImages(stateRoot())),
});
