// Chapter 5.7 — `images`: the images under the state root, with the size of each
// tarball and when it was made (imported, committed, or built for busybox).

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/runtime/errors.ts';
import { imagesDir, listImages } from '../../src/runtime/image.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { showTime, table } from '../5.2/ps.ts';

/** 2312192 → "2.2MB" (powers of 1000, as docker images shows them). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)}${units[u]}`;
}

/** One row of `images`: the name, the tarball's size, when it was made. */
export function imageRow(name: string): string[] {
  // exercise: name, size and time of the image's tarball
  const st = fs.statSync(path.join(imagesDir(stateRoot()), `${name}.tar`));
  return [name, humanSize(st.size), showTime(st.mtime)];
  // end exercise
}

export function images(args: string[]): number {
  if (args.length) throw new UsageError(`images: unexpected ${args.join(' ')} (usage: images)`);
  const rows = listImages(stateRoot()).map((name) => imageRow(name));
  console.log(table(['NAME', 'SIZE', 'CREATED'], rows));
  return 0;
}
