// Chapter 4.2 — a container's workspace: the image as a read-only lower layer, and a
// write layer of the container's own, joined by overlayfs (the book uses aufs, which
// mainline Linux never merged; overlayfs is its successor in the kernel).
//
//   aufs:       mount -t aufs  -o dirs=<write>=rw:<image>=ro  none <mnt>
//   overlayfs:  mount -t overlay -o lowerdir=<image>,upperdir=<write>,workdir=<work> overlay <mnt>
//
// Reads fall through to the image; the first write to a file copies it up into the
// upper dir; deleting an image file leaves a "whiteout" there. workdir is overlayfs's
// scratch space and must be on the same filesystem as upperdir (Documentation/
// filesystems/overlayfs.rst in the kernel tree).
//
// The parent makes the directories and removes them after the container ends; the
// overlay itself is mounted by init, inside the container's mount namespace, so the
// host's mount table never shows it and it vanishes with the namespace — even when
// the runtime is killed.

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { hostMountsUnder } from '../../src/runtime/leftovers.ts';
import { log } from '../../src/runtime/log.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { mount } from '../../src/runtime/sys.ts';

export interface Workspace {
  /** <state root>/containers/<id>: everything of this container on disk */
  dir: string;
  /** the image's rootfs, never written */
  lower: string;
  /** the container's write layer */
  upper: string;
  /** overlayfs's scratch dir */
  work: string;
  /** where the union is mounted (inside the container's namespace) and pivoted into */
  merged: string;
}

/** Parent: make the container's directories. */
export function createWorkspace(id: string, lower: string): Workspace {
  const dir = containerDir(id);
  // Overlay options are a comma-separated list and lowerdir uses ':' between layers.
  for (const p of [dir, lower]) {
    if (/[,:]/.test(p)) throw new RuntimeError(`overlay cannot use the path ${p}: it contains ',' or ':'`);
  }
  const ws: Workspace = {
    dir,
    lower,
    upper: path.join(dir, 'upper'),
    work: path.join(dir, 'work'),
    merged: path.join(dir, 'merged'),
  };
  // exercise: create the write layer, overlay's work dir and the mount point
  for (const d of [ws.upper, ws.work, ws.merged]) fs.mkdirSync(d, { recursive: true });
  // end exercise
  return ws;
}

/**
 * Init: mount the union of the image and the write layer on ws.merged.
 *
 * `volatile` (Linux 5.10): the overlay never syncs its upper layer. Without it, the
 * overlay's unmount (when the container's last process exits and its mount namespace
 * goes) syncs the whole filesystem upperdir lives on, syncfs(2), and the container's
 * end waits for that, for a layer that is deleted right after or kept only to be looked
 * at (5.2). The price: an fsync inside the container does not reach the disk either
 * (data that must survive a crash belongs in a volume, 4.3), and overlayfs will not mount
 * the layer a second time (overlayfs.rst, "Volatile mount"); no chapter does.
 */
export function mountOverlay(ws: Workspace): void {
  // exercise: mount an overlay filesystem of lower + upper on merged
  mount('overlay', ws.merged, 'overlay', 0, `lowerdir=${ws.lower},upperdir=${ws.upper},workdir=${ws.work},volatile`);
  // end exercise
}

/**
 * Parent: remove the write layer and overlay's directories. The
 * container's mounts lived in its own namespace, so nothing is mounted here on the
 * host; if something is (a mount made by hand, say), refuse rather than delete through
 * it into someone's data.
 */
export function removeWorkspace(ws: Workspace): void {
  const mounted = hostMountsUnder(ws.dir);
  if (mounted.length) {
    log.warn(`not removing ${ws.dir}: still mounted on the host: ${mounted.join(', ')}`);
    return;
  }
  // exercise: delete the write layer, the work dir and the mount point
  for (const d of [ws.upper, ws.work, ws.merged]) fs.rmSync(d, { recursive: true, force: true });
  // end exercise
}
