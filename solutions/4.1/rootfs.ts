// Chapter 4.1 — giving the container its own root filesystem.
//
// chroot(2) only changes how one process resolves paths, and a root process can walk
// back out. pivot_root(2) instead swaps the root *mount* of the whole mount namespace:
// the new root becomes "/", the old one is moved under it, and once we unmount the
// old root nothing of the host's tree is reachable from the container any more.
// Read man 2 pivot_root: the new root must be a mount point, and neither it nor its
// parent may be shared (3.1's makeMountsPrivate took care of that).

import fs from 'node:fs';
import path from 'node:path';
import { mknod, MNT_DETACH, mount, MS, pivotRoot, S_IFCHR, umount2 } from '../../src/runtime/sys.ts';

/** Make `newRoot` the container's "/" and drop the host's tree. */
export function pivotInto(newRoot: string): void {
  // exercise: bind-mount the new root onto itself, pivot_root into it, drop the old root
  // pivot_root needs a mount point; a bind mount of the directory onto itself makes one.
  mount(newRoot, newRoot, null, MS.BIND | MS.REC);
  const putOld = fs.mkdtempSync(path.join(newRoot, '.pivot_root-'));
  pivotRoot(newRoot, putOld);
  process.chdir('/');
  // The old root is now at /<basename of putOld>: detach it (lazily, since our own
  // process still has files open in it) and remove the empty directory.
  const oldRoot = '/' + path.basename(putOld);
  umount2(oldRoot, MNT_DETACH);
  fs.rmdirSync(oldRoot);
  // end exercise
}

/** The device nodes a program expects in /dev: [name, major, minor] (man 4 null, man 4 random). */
export const DEVICES: [string, number, number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

/**
 * A fresh /dev: a small tmpfs with only the harmless device nodes, instead of the
 * host's /dev with its disks. mknod(2) makes each node; chmod fixes the mode the
 * umask cut.
 */
export function mountDev(target = '/dev'): void {
  // exercise: mount a tmpfs on /dev and create the basic device nodes in it
  fs.mkdirSync(target, { recursive: true });
  mount('tmpfs', target, 'tmpfs', MS.NOSUID | MS.STRICTATIME, 'mode=755,size=65536k');
  for (const [name, major, minor] of DEVICES) {
    const node = path.join(target, name);
    mknod(node, S_IFCHR | 0o666, major, minor);
    fs.chmodSync(node, 0o666);
  }
  // end exercise
  // The usual links into /proc, and a place for shared memory.
  for (const [name, to] of [
    ['fd', '/proc/self/fd'],
    ['stdin', '/proc/self/fd/0'],
    ['stdout', '/proc/self/fd/1'],
    ['stderr', '/proc/self/fd/2'],
  ] as const) {
    fs.symlinkSync(to, path.join(target, name));
  }
  fs.mkdirSync(path.join(target, 'shm'), { mode: 0o1777 });
  mount('shm', path.join(target, 'shm'), 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=1777,size=65536k');
}

/** /proc entries that tell too much about the host or the kernel: hidden (Docker's list). */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
];

/** /proc entries that change the whole machine when written: made read-only. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * A container's /proc is still the kernel's /proc: /proc/sysrq-trigger can reboot the
 * host and /proc/kcore is the machine's memory. Hide the dangerous files (an empty
 * read-only tmpfs over a directory, /dev/null over a file) and make the writable
 * kernel knobs read-only, as Docker and runc do.
 */
export function maskProc(): void {
  for (const p of MASKED_PATHS) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue; // not in this kernel
    }
    if (st.isDirectory()) mount('tmpfs', p, 'tmpfs', MS.RDONLY, 'size=0');
    else mount('/dev/null', p, null, MS.BIND);
  }
  for (const p of READONLY_PATHS) {
    if (!fs.existsSync(p)) continue;
    mount(p, p, null, MS.BIND | MS.REC);
    mount(null, p, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
  }
}
