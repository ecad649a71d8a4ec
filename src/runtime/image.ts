// Images: the root filesystems containers start from. Machinery (no chapter teaches
// it); chapter 4.1 is the first to use it, because pivot_root needs a root to pivot into.
//
// An image is a tarball under the state root, unpacked once into a directory that the
// container uses as its read-only lower layer (chapter 4.2 puts an overlay on top):
//   <root>/images/<name>.tar       the image
//   <root>/images/<name>/rootfs/   the image unpacked
//
// The default image, busybox, is built here on first use from a *static* busybox
// binary: a dynamic one would need the host's libc and loader inside the container.
// It holds that one binary, a symlink for each of its applets, the usual top-level
// directories and a minimal /etc. `mydocker import <tar> <name>` adds any rootfs
// tarball, e.g. the output of `docker export`, as the book does with busybox.tar.
//
// Several runs may start at once on a fresh state root (a classroom, the test suite),
// so nothing is ever built in place: every tarball and every rootfs is made in a
// temporary sibling (same filesystem) and moved into place in one step, with rename(2)
// for directories and link(2) for files (link never replaces an existing name). Whoever
// loses that race throws its copy away and uses the winner's. See `man 2 rename`.
//
// Unpacking uses the `tar` package with its path protections on (no absolute paths, no
// '..', nothing written through a symlink), with two corrections a rootfs needs:
//  - symlinks are created by us, last, with their target exactly as archived. The
//    package strips the leading '/' from link targets, which would turn bin/sh ->
//    /bin/busybox into bin/sh -> bin/busybox, a broken link. Creating them after every
//    file and directory also means no entry can be written through one of them.
//  - modes are set exactly as archived (tmp is 1777). The package leaves new files and
//    directories to the process umask, which would make that 1755.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type * as Tar from 'tar';
import { log } from './log.ts';

/**
 * The tar package, loaded on first use: a container start never needs it (the image is
 * unpacked once), and loading it costs a visible part of a start.
 */
const loadTar = (): Promise<typeof Tar> => import('tar');

/** A failure to find, build, import or unpack an image. Exit code 125 like Docker's. */
export class ImageError extends Error {
  readonly exitCode = 125;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
  }
}

/** What to tell a user whose machine has no static busybox. */
export const NO_BUSYBOX =
  'no static busybox found: install it (Debian/Ubuntu: apt-get install busybox-static; Fedora: dnf install busybox; ' +
  'Arch: pacman -S busybox) or set MYDOCKER_BUSYBOX=/path/to/static/busybox';

// ---------------------------------------------------------------------------------------
// Finding a static busybox

// ELF e_machine values of the architectures Node runs on (`man 5 elf`): a busybox built
// for another machine would not run in the container.
const ELF_MACHINE: Partial<Record<string, number>> = {
  ia32: 3,
  arm: 40,
  x64: 62,
  arm64: 183,
  ppc64: 21,
  s390x: 22,
  riscv64: 243,
  loong64: 258,
};
const PT_INTERP = 3;

/**
 * Whether `file` is an executable, statically linked ELF binary for this machine.
 * "Static" means the program headers have no PT_INTERP entry, the one that names the
 * dynamic loader (/lib64/ld-linux-x86-64.so.2); static-pie binaries have none either.
 */
export function isStaticElf(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    const head = Buffer.alloc(64);
    if (fs.readSync(fd, head, 0, 64, 0) < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    if (!(head[4] === 1 || is64) || !(head[5] === 1 || head[5] === 2)) return false;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const type = u16(head, 16);
    if (type !== 2 && type !== 3) return false; // ET_EXEC or ET_DYN (pie)
    const machine = ELF_MACHINE[process.arch];
    if (machine !== undefined && u16(head, 18) !== machine) return false;
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    if (phnum === 0 || phentsize < (is64 ? 56 : 32)) return false;
    const table = Buffer.alloc(phentsize * phnum);
    if (fs.readSync(fd, table, 0, table.length, phoff) < table.length) return false;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A static busybox for this machine: $MYDOCKER_BUSYBOX, then /bin/busybox and
 * /usr/bin/busybox, then `busybox` in each directory on PATH. null if there is none.
 * A candidate that is not a static ELF executable is passed over.
 */
export function findStaticBusybox(): string | null {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => path.isAbsolute(dir)) // an empty or relative entry would mean "the current directory"
    .map((dir) => path.join(dir, 'busybox'));
  const candidates = [process.env.MYDOCKER_BUSYBOX, '/bin/busybox', '/usr/bin/busybox', ...onPath];
  for (const candidate of candidates) {
    if (candidate && isStaticElf(candidate)) return candidate;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Names and places

/** Where the images live: `<stateRoot>/images`. */
export function imagesDir(stateRoot: string): string {
  return path.join(stateRoot, 'images');
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new ImageError(
      `invalid image name '${name}': use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

/** The names of the images under `stateRoot` (from images/*.tar), sorted. */
export function listImages(stateRoot: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(imagesDir(stateRoot));
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.tar') && NAME.test(f.slice(0, -4)))
    .map((f) => f.slice(0, -4))
    .sort();
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------
// Making things atomically

// Temporary names are hidden siblings of their target that carry the pid of their
// maker: `.busybox.tar.tmp-1234-k3j9x`. A runtime killed mid-build (SIGKILL) cannot
// remove its own, so the next build removes those whose maker is gone.
const TEMP = /^\..+\.tmp-(\d+)-[0-9a-z]+$/;

function tempName(target: string): string {
  const rand = Math.random().toString(36).slice(2, 10) || '0';
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${rand}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, just not ours
  }
}

function removeStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (m && !processAlive(Number(m[1]))) {
      log.debug(`removing ${path.join(dir, name)}, left by a runtime that is gone`);
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Create `target` (a file or a directory) by letting `fill` make it under a temporary
 * name beside it, then moving it into place in one step. Returns false if another
 * process got there first (then its copy stands and ours is gone). The temporary
 * copy never outlives this call, whether `fill` succeeds or throws.
 */
async function createAtomically(
  target: string,
  kind: 'file' | 'dir',
  fill: (tmp: string) => Promise<void> | void,
): Promise<boolean> {
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  const tmp = tempName(target);
  try {
    await fill(tmp);
    try {
      // link(2) fails with EEXIST rather than replace a file; rename(2) of a directory
      // fails with ENOTEMPTY/EEXIST when the target is a non-empty directory.
      if (kind === 'file') fs.linkSync(tmp, target);
      else fs.renameSync(tmp, target);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'EEXIST' || code === 'ENOTEMPTY') && lstatOrNull(target)) return false;
      throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// The busybox image

const TOP_DIRS: Array<[string, number]> = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o555],
  ['root', 0o700],
  ['sbin', 0o755],
  ['sys', 0o555],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['usr/bin', 0o755],
  ['usr/sbin', 0o755],
  ['var', 0o755],
];

/** The applets' paths relative to the root (usr/bin/wc), as the binary itself lists them. */
function appletPaths(busybox: string): string[] {
  try {
    // --list-full gives each applet's install path; older builds only have --list.
    const full = execFileSync(busybox, ['--list-full'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return full.split('\n').filter(Boolean);
  } catch {
    try {
      const names = execFileSync(busybox, ['--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return names
        .split('\n')
        .filter(Boolean)
        .map((n) => `bin/${n}`);
    } catch (err) {
      throw new ImageError(`build image busybox: '${busybox} --list' failed: ${messageOf(err)}`, { cause: err });
    }
  }
}

/** Make the busybox image tarball at `tarPath` (unless a concurrent run beats us to it). */
async function buildBusyboxTar(tarPath: string): Promise<void> {
  const wanted = process.env.MYDOCKER_BUSYBOX;
  if (wanted && !isStaticElf(wanted)) {
    // Set on purpose, so it must not be replaced silently by some other busybox.
    throw new ImageError(
      `MYDOCKER_BUSYBOX=${wanted} is not a statically linked executable for this machine; ` +
        `point it at a static busybox (Debian/Ubuntu: apt-get install busybox-static, then /bin/busybox) or unset it`,
    );
  }
  const busybox = findStaticBusybox();
  if (!busybox) throw new ImageError(NO_BUSYBOX);
  log.debug(`building the busybox image from ${busybox} into ${tarPath}`);

  const tree = tempName(path.join(path.dirname(tarPath), 'busybox-tree'));
  try {
    fs.mkdirSync(path.dirname(tree), { recursive: true, mode: 0o755 });
    fs.mkdirSync(tree, { mode: 0o755 });
    for (const [dir, mode] of TOP_DIRS) {
      fs.mkdirSync(path.join(tree, dir), { recursive: true });
      fs.chmodSync(path.join(tree, dir), mode); // chmod, not mkdir's mode: the umask would clip 1777
    }
    fs.copyFileSync(busybox, path.join(tree, 'bin/busybox'));
    fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
    // Relative links (usr/bin/wc -> ../../bin/busybox) resolve the same inside the
    // container and on the host, where absolute ones would point at the host's files.
    for (const listed of appletPaths(busybox)) {
      const rel = path.posix.normalize(listed.replace(/^\/+/, ''));
      if (rel === 'bin/busybox' || rel.split('/').includes('..') || rel === '.') continue;
      const link = path.join(tree, rel);
      if (lstatOrNull(link)) continue;
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.posix.relative(path.posix.dirname(rel), 'bin/busybox'), link);
    }
    fs.writeFileSync(
      path.join(tree, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    );
    fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    for (const f of ['etc/passwd', 'etc/group']) fs.chmodSync(path.join(tree, f), 0o644);

    await createAtomically(tarPath, 'file', async (tmpTar) => {
      // Not `portable`: that mode drops group/other write bits, and tmp must stay 1777.
      const tar = await loadTar();
      await tar.create({ file: tmpTar, cwd: tree }, fs.readdirSync(tree).sort());
    });
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Unpacking

/** An archive path as a path relative to the root, or null if it contains '..'. */
function relativeEntryPath(p: string): string | null {
  if (p.split('/').includes('..')) return null;
  const rel = path.posix.normalize(p.replace(/^\/+/, '')).replace(/\/+$/, '');
  return rel === '.' ? '' : rel;
}

interface DeferredLink {
  target: string;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/**
 * Create the symlink `rel` under `root` unless that would mean going through a symlink
 * or replacing a directory. Returns why not, or null when done.
 */
function placeSymlink(root: string, rel: string, link: DeferredLink): string | null {
  if (rel === '') return 'the root itself cannot be a symlink';
  let dir = root;
  for (const part of path.posix
    .dirname(rel)
    .split('/')
    .filter((p) => p !== '.')) {
    dir = path.join(dir, part);
    const st = lstatOrNull(dir);
    if (!st) fs.mkdirSync(dir, { mode: 0o755 });
    else if (st.isSymbolicLink()) return `its parent ${path.relative(root, dir)} is a symlink`;
    else if (!st.isDirectory()) return `its parent ${path.relative(root, dir)} is not a directory`;
  }
  const abs = path.join(root, rel);
  const existing = lstatOrNull(abs);
  if (existing?.isDirectory()) return 'a directory of the same name is in the way';
  if (existing) fs.unlinkSync(abs); // a later entry replaces an earlier one, as with tar(1)
  fs.symlinkSync(link.target, abs);
  if (process.getuid?.() === 0 && typeof link.uid === 'number' && typeof link.gid === 'number') {
    fs.lchownSync(abs, link.uid, link.gid);
  }
  if (link.mtime) fs.lutimesSync(abs, link.mtime, link.mtime);
  return null;
}

/** Unpack `tarFile` into the new directory `dir`, safely (see the top of this file). */
async function extractInto(tarFile: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { mode: 0o755 });
  const modes = new Map<string, number>();
  const links = new Map<string, DeferredLink>();
  const skipped: string[] = [];

  const tar = await loadTar();
  await tar.extract({
    file: tarFile,
    cwd: dir,
    preservePaths: false, // keep the package's protections: no absolute paths, no '..'
    filter: (p, entry) => {
      const e = entry as Tar.ReadEntry;
      const rel = relativeEntryPath(p);
      if (rel === null) return true; // the package refuses it and says so through onwarn
      modes.delete(rel);
      links.delete(rel);
      if (e.type === 'SymbolicLink') {
        if (e.linkpath) links.set(rel, { target: e.linkpath, uid: e.uid, gid: e.gid, mtime: e.mtime });
        return false; // created by us once everything else is in place
      }
      if (typeof e.mode === 'number' && /^(File|OldFile|ContiguousFile|Directory)$/.test(e.type)) {
        modes.set(rel, e.mode & 0o7777);
      }
      return true;
    },
    onwarn: (code, message, data) => {
      if (code === 'TAR_ENTRY_INFO') return; // e.g. "stripping / from absolute path": harmless
      const entryPath = (data as { entry?: { path?: string }; path?: string }).entry?.path ?? data.path ?? '';
      skipped.push(`${entryPath ? `${entryPath}: ` : ''}${messageOf(message)}`);
    },
  });

  // No symlink exists in `dir` yet, so these chmods cannot be redirected through one.
  for (const [rel, mode] of modes) {
    const abs = path.join(dir, rel);
    const st = lstatOrNull(abs);
    if (st && !st.isSymbolicLink() && (st.mode & 0o7777) !== mode) fs.chmodSync(abs, mode);
  }
  for (const [rel, link] of links) {
    const why = placeSymlink(dir, rel, link);
    if (why) skipped.push(`${rel}: symlink not created: ${why}`);
  }

  if (skipped.length > 0) {
    const shown = skipped.slice(0, 5).join('; ');
    const more = skipped.length > 5 ? ` (and ${skipped.length - 5} more)` : '';
    log.warn(`unpack ${tarFile}: skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'}: ${shown}${more}`);
  }
}

/** Unpack `tarFile` into `rootfs` atomically; a concurrent unpack that wins is as good. */
async function unpack(tarFile: string, rootfs: string): Promise<void> {
  try {
    await createAtomically(rootfs, 'dir', (tmp) => extractInto(tarFile, tmp));
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError(`unpack ${tarFile} into ${rootfs}: ${messageOf(err)}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------
// The API the stages use

/**
 * The absolute path of image `name`'s unpacked root, `<stateRoot>/images/<name>/rootfs`,
 * the container's read-only lower layer. The busybox image is built on first use; any
 * other image must have been imported. Safe to call from many runs at once.
 */
export async function ensureImage(stateRoot: string, name = 'busybox'): Promise<string> {
  checkName(name);
  const dir = imagesDir(path.resolve(stateRoot));
  const tarPath = path.join(dir, `${name}.tar`);
  const rootfs = path.join(dir, name, 'rootfs');
  if (lstatOrNull(rootfs)?.isDirectory()) return rootfs; // only ever appears complete

  try {
    removeStaleTemps(dir);
    removeStaleTemps(path.join(dir, name));
    if (!lstatOrNull(tarPath)) {
      if (name !== 'busybox') {
        const known = listImages(path.dirname(dir));
        throw new ImageError(
          `image '${name}' not found in ${dir} (images: ${known.join(', ') || 'none'}); ` +
            `import one with: mydocker import <rootfs.tar> ${name}`,
        );
      }
      await buildBusyboxTar(tarPath);
    }
    await unpack(tarPath, rootfs);
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError(`prepare image '${name}' in ${dir}: ${messageOf(err)}`, { cause: err });
  }
  return rootfs;
}

/**
 * Add the rootfs tarball `tarPath` (plain, gzip or zstd; e.g. from `docker export`) as
 * image `name`: it is copied to `<stateRoot>/images/<name>.tar` and unpacked. An existing
 * image of that name is never replaced. Returns the unpacked root, as ensureImage does.
 */
export async function importImage(stateRoot: string, tarPath: string, name: string): Promise<string> {
  checkName(name);
  const src = path.resolve(tarPath);
  const dir = imagesDir(path.resolve(stateRoot));
  const target = path.join(dir, `${name}.tar`);
  const imageDir = path.join(dir, name);

  let st: fs.Stats;
  try {
    st = fs.statSync(src);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageError(`import ${src}: ${code === 'ENOENT' ? 'no such file' : messageOf(err)}`, { cause: err });
  }
  if (!st.isFile()) throw new ImageError(`import ${src}: not a regular file (give the path of a tar archive)`);
  try {
    fs.accessSync(src, fs.constants.R_OK);
  } catch (err) {
    throw new ImageError(`import ${src}: cannot read it: ${messageOf(err)}`, { cause: err });
  }

  const exists = () =>
    new ImageError(
      `import ${src}: image '${name}' exists already; to replace it remove ${target} and ${imageDir}/ first`,
    );
  if (lstatOrNull(target) || lstatOrNull(imageDir)) throw exists();

  let claimed: boolean;
  try {
    removeStaleTemps(dir);
    // Copying first and linking the copy into place claims the name: two imports of the
    // same name cannot both succeed, and the image never depends on the source staying.
    claimed = await createAtomically(target, 'file', (tmp) => fs.copyFileSync(src, tmp));
  } catch (err) {
    throw new ImageError(`import ${src}: copy to ${target}: ${messageOf(err)}`, { cause: err });
  }
  if (!claimed) throw exists();

  try {
    await unpack(target, path.join(imageDir, 'rootfs'));
  } catch (err) {
    // Not a tar, or a damaged one: take the name back so nothing half-made is listed.
    fs.rmSync(target, { force: true });
    try {
      fs.rmdirSync(imageDir);
    } catch {
      // not there, or not empty: leave it
    }
    const tarCode = ((err as Error).cause as { tarCode?: string } | undefined)?.tarCode;
    if (tarCode === 'TAR_BAD_ARCHIVE' || tarCode === 'TAR_ABORT') {
      throw new ImageError(`import ${src}: not a readable tar archive (${messageOf((err as Error).cause)})`, {
        cause: err,
      });
    }
    throw new ImageError(`import ${src}: ${messageOf(err)}`, { cause: err });
  }
  return path.join(imageDir, 'rootfs');
}
