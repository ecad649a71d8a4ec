// Images: the root filesystems containers start from. Machinery, first used by
// chapter 4.1 (which needs a root to pivot into).
//
// An image is a tarball under the state root, unpacked once into a directory that
// serves as the container's read-only lower layer:
//   <root>/images/<name>.tar       the image
//   <root>/images/<name>/rootfs/   unpacked
// The default image, busybox, is built here on first use from a *static* busybox binary
// (a dynamic one would need the host's libc inside the container): one binary, a link
// for each of its applets, and the usual top-level directories. `import` adds any rootfs
// tarball, such as the output of `docker export`, as the book does with busybox.tar.
//
// Several runs may start at once on a fresh state root, so every build and unpack goes
// to a temporary directory beside its target and is renamed into place: whoever loses
// the race throws its copy away and uses the winner's.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';

export class ImageError extends Error {
  readonly exitCode = 125;
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

const NO_BUSYBOX =
  'no static busybox found: install it (Debian/Ubuntu: apt-get install busybox-static; Fedora: dnf install busybox; ' +
  'Arch: pacman -S busybox) or set MYDOCKER_BUSYBOX=/path/to/a/static/busybox';

/** Whether `file` is an ELF executable with no program interpreter (statically linked). */
export function isStaticElf(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(64);
    if (fs.readSync(fd, head, 0, 64, 0) < 64 || head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/** A static busybox: $MYDOCKER_BUSYBOX, the usual places, then PATH. null if none. */
export function findStaticBusybox(): string | null {
  const candidates = [
    process.env.MYDOCKER_BUSYBOX,
    '/bin/busybox',
    '/usr/bin/busybox',
    ...(process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'busybox')),
  ].filter((p): p is string => !!p);
  return candidates.find((p) => isStaticElf(p)) ?? null;
}

export function imagesDir(stateRoot: string): string {
  return path.join(stateRoot, 'images');
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new ImageError(`invalid image name "${name}": use lowercase letters, digits, '.', '_' or '-' (at most 64)`);
  }
}

/** Image names under the state root, sorted. */
export function listImages(stateRoot: string): string[] {
  try {
    return fs
      .readdirSync(imagesDir(stateRoot))
      .filter((f) => f.endsWith('.tar'))
      .map((f) => f.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

/** Make `target` by filling a temporary sibling with `fill`, then renaming it into place. */
async function createAtomically(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fill(tmp);
    try {
      fs.renameSync(tmp, target);
    } catch (err) {
      // Someone else finished first: theirs is as good as ours.
      if (!fs.existsSync(target)) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Write the busybox image tarball. */
async function buildBusyboxTar(tarPath: string): Promise<void> {
  const busybox = findStaticBusybox();
  if (!busybox) throw new ImageError(NO_BUSYBOX);
  await createAtomically(tarPath, async (tmpTar) => {
    const tree = `${tmpTar}.d`;
    try {
      for (const d of ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sbin', 'sys', 'tmp', 'usr/bin', 'usr/sbin', 'var']) {
        fs.mkdirSync(path.join(tree, d), { recursive: true, mode: 0o755 });
      }
      fs.chmodSync(path.join(tree, 'tmp'), 0o1777);
      fs.chmodSync(path.join(tree, 'root'), 0o700);
      fs.copyFileSync(busybox, path.join(tree, 'bin/busybox'));
      fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
      // One link per applet, where busybox says it belongs (bin/sh, usr/bin/wc, …).
      const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).trim().split('\n');
      for (const applet of applets) {
        const link = path.join(tree, applet);
        if (fs.existsSync(link)) continue;
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync('/bin/busybox', link);
      }
      fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
      fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
      await tar.create({ file: tmpTar, cwd: tree }, fs.readdirSync(tree));
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
}

/** This process's umask, read without process.umask()'s deprecated query form. */
function currentUmask(): number {
  const m = /^Umask:\s+([0-7]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? parseInt(m[1]!, 8) : 0o22;
}

/** Whether every directory between `root` and `file` is a real directory, not a link. */
function plainPathUnder(root: string, rel: string): boolean {
  const parts = rel.split('/').filter(Boolean).slice(0, -1);
  let dir = root;
  for (const part of parts) {
    if (part === '..') return false;
    dir = path.join(dir, part);
    try {
      if (!fs.lstatSync(dir).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Unpack an image tarball into rootfs. The tar package keeps every entry inside the
 * target (it strips a leading '/', drops '..' entries, never writes through a link),
 * but it also strips the '/' from *symlink targets*: /bin/sh -> /bin/busybox would
 * become a link to bin/busybox, which resolves wrongly inside the container. So the
 * absolute targets are noted while unpacking and put back afterwards. They are only
 * ever followed inside the container (or by resolveInRoot), never on the host.
 */
async function unpack(tarPath: string, rootfs: string): Promise<void> {
  await createAtomically(rootfs, async (tmp) => {
    fs.mkdirSync(tmp, { recursive: true });
    const absoluteLinks = new Map<string, string>();
    await tar.extract({
      file: tarPath,
      cwd: tmp,
      preservePaths: false,
      preserveOwner: true,
      // Modes exactly as in the archive (/tmp 1777, /root 700): the tar package chmods
      // whatever our umask would cut, if it is told that umask.
      chmod: true,
      processUmask: currentUmask(),
      umask: 0,
      onReadEntry: (entry) => {
        if (entry.type === 'SymbolicLink' && entry.linkpath?.startsWith('/')) {
          absoluteLinks.set(entry.path.replace(/^\/+/, '').replace(/\/+$/, ''), entry.linkpath);
        }
      },
    });
    for (const [rel, target] of absoluteLinks) {
      const link = path.join(tmp, rel);
      if (!plainPathUnder(tmp, rel)) continue;
      try {
        if (!fs.lstatSync(link).isSymbolicLink()) continue;
      } catch {
        continue; // not extracted (refused by the tar package)
      }
      fs.unlinkSync(link);
      fs.symlinkSync(target, link);
    }
  });
}

/**
 * The unpacked root of image `name` under `stateRoot`, building (busybox) or unpacking
 * it first if needed. This directory is the container's read-only lower layer.
 */
export async function ensureImage(stateRoot: string, name = 'busybox'): Promise<string> {
  checkName(name);
  const tarPath = path.join(imagesDir(stateRoot), `${name}.tar`);
  const rootfs = path.join(imagesDir(stateRoot), name, 'rootfs');
  if (fs.existsSync(rootfs)) return rootfs;
  if (!fs.existsSync(tarPath)) {
    if (name !== 'busybox') {
      const known = listImages(stateRoot);
      throw new ImageError(
        `image "${name}" not found (images: ${known.join(', ') || 'none'}); import one with: mydocker import <rootfs.tar> ${name}`,
      );
    }
    await buildBusyboxTar(tarPath);
  }
  await unpack(tarPath, rootfs);
  return rootfs;
}

/** Add a rootfs tarball (e.g. from `docker export`) as image `name`. */
export async function importImage(stateRoot: string, tarPath: string, name: string): Promise<string> {
  checkName(name);
  let st: fs.Stats;
  try {
    st = fs.statSync(tarPath);
  } catch {
    throw new ImageError(`import: ${tarPath}: no such file`);
  }
  if (!st.isFile()) throw new ImageError(`import: ${tarPath}: not a file`);
  const target = path.join(imagesDir(stateRoot), `${name}.tar`);
  if (fs.existsSync(target)) throw new ImageError(`import: image "${name}" exists already (remove ${target} to replace it)`);
  // Read it through once: a file that is not a tar fails here, before anything is kept.
  let entries = 0;
  try {
    await tar.list({ file: tarPath, strict: true, onReadEntry: () => void entries++ });
  } catch (err) {
    throw new ImageError(`import: ${tarPath} is not a readable tar archive: ${(err as Error).message}`);
  }
  if (entries === 0) throw new ImageError(`import: ${tarPath} is not a tar archive (no entries)`);
  await createAtomically(target, async (tmp) => fs.copyFileSync(tarPath, tmp));
  return ensureImage(stateRoot, name);
}
