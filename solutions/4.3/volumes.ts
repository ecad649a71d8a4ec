// Chapter 4.3 — volumes: a host directory (or file) bind-mounted into the container,
// so what the container writes there outlives it. The book mounts each volume with
// aufs over the host dir; a bind mount (man 8 mount, "bind mount operation") is what
// runc and Docker use, and needs no union at all.
//
//   -v HOST:CONTAINER[:ro|rw]     repeatable (the book allows one)
//
// The parent checks every spec before anything is created and makes missing host
// directories; init mounts the volumes on the union root, before the pivot, inside
// the container's mount namespace. When the container ends, its namespace and the
// bind mounts with it are gone; the host's files stay where they always were. The
// write layer is deleted, the volume never: it was never *in* the write layer.

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { mount, MS } from '../../src/runtime/sys.ts';

export interface Volume {
  /** absolute path on the host */
  host: string;
  /** absolute, normalized path inside the container */
  container: string;
  readonly: boolean;
}

const FORMAT = 'expected -v HOST:CONTAINER[:ro|rw], e.g. -v /root/volume:/test';

/** Check one -v spec. Every rule here is checked before the container is created. */
export function parseVolume(spec: string): Volume {
  const bad = (why: string) => new UsageError(`invalid volume "${spec}": ${why}`);
  // exercise: split and check a HOST:CONTAINER[:MODE] spec
  if (spec.trim() === '') throw bad(`it is empty; ${FORMAT}`);
  const parts = spec.split(':');
  if (parts.length < 2) throw bad(`no ':' between host and container path; ${FORMAT}`);
  if (parts.length > 3) throw bad(`too many ':' (paths with ':' are not supported); ${FORMAT}`);
  const [host, container, mode = 'rw'] = parts as [string, string, string?];
  if (host === '') throw bad('the host path is empty');
  if (container === '') throw bad('the container path is empty');
  if (!path.isAbsolute(host)) throw bad(`the host path must be absolute (e.g. "$(pwd)/${host}")`);
  if (!path.posix.isAbsolute(container)) throw bad('the container path must be absolute');
  const target = path.posix.normalize(container).replace(/(.)\/+$/, '$1');
  if (target === '/') throw bad("the container path cannot be '/': a volume cannot replace the root");
  if (target === '/proc' || target.startsWith('/proc/')) throw bad('the container path cannot be /proc or under it');
  if (target === '/dev' || target.startsWith('/dev/'))
    throw bad("the container path cannot be /dev or under it (the container's /dev is a fresh tmpfs)");
  if (mode !== 'ro' && mode !== 'rw') throw bad(`unknown mode "${mode}": use ro or rw`);
  return { host: path.resolve(host), container: target, readonly: mode === 'ro' };
  // end exercise
}

/** Check all -v specs, and that no two share a container path. */
export function parseVolumes(specs: string[]): Volume[] {
  const volumes = specs.map(parseVolume);
  const seen = new Set<string>();
  for (const v of volumes) {
    if (seen.has(v.container)) throw new UsageError(`invalid volume: ${v.container} is the target of more than one -v`);
    seen.add(v.container);
  }
  return volumes;
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(p, { recursive: true })` never
 * returns for a missing path under /proc: the kernel answers ENOENT, which Node takes
 * as "make the parent first", forever. Here the first level that cannot be made ends
 * it with that error. A level another run made meanwhile (EEXIST) is fine.
 */
export function mkdirs(p: string): void {
  const parent = path.dirname(p);
  if (parent !== p && !fs.existsSync(parent)) mkdirs(parent);
  try {
    fs.mkdirSync(p, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(p).isDirectory()) throw err;
  }
}

/** Parent: create each missing host directory (with its parents), like `mkdir -p`. */
export function prepareHostPaths(volumes: Volume[]): void {
  // exercise: make missing host directories
  for (const v of volumes) {
    if (fs.existsSync(v.host)) continue;
    try {
      mkdirs(v.host);
    } catch (err) {
      throw new RuntimeError(`volume ${v.host}: cannot create the host directory: ${(err as Error).message}`);
    }
  }
  // end exercise
}

/**
 * Resolve `unsafePath` as the container would see it, with `root` as "/": every
 * symlink on the way is followed *inside* root (an absolute link target starts again
 * at root, '..' never climbs above it). So a link in the image such as
 * /test -> /etc on the host can only ever lead to root/etc. Missing parts are kept
 * as they are written. Returns a path under root.
 */
export function resolveInRoot(root: string, unsafePath: string): string {
  const pending = unsafePath.split('/');
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(root, ...done, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      st = undefined; // does not exist (yet): keep the name
    }
    if (st?.isSymbolicLink()) {
      if (++links > 40) throw new UsageError(`volume target ${unsafePath}: too many symbolic links`);
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/'));
      continue;
    }
    done.push(part);
  }
  return path.join(root, ...done);
}

/** Init: bind-mount every volume onto its target under `root` (before the pivot). */
export function mountVolumes(root: string, volumes: Volume[]): void {
  // Parents before children: -v a:/data -v b:/data/sub must not hide /data/sub under /data.
  const byDepth = [...volumes].sort((a, b) => a.container.split('/').length - b.container.split('/').length);
  for (const v of byDepth) {
    const target = resolveInRoot(root, v.container);
    // exercise: create the mount point and bind-mount the host path onto it (read-only for :ro)
    const isDir = fs.statSync(v.host).isDirectory();
    if (isDir) fs.mkdirSync(target, { recursive: true });
    else if (!fs.existsSync(target)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, ''); // a file is mounted on a file
    }
    mount(v.host, target, null, MS.BIND | MS.REC);
    // A bind mount takes no flags of its own at first: read-only needs a remount, which
    // must repeat the source's nosuid/nodev/noexec or it would drop them.
    if (v.readonly) mount(null, target, null, MS.BIND | MS.REMOUNT | MS.RDONLY | lockedFlags(target));
    // end exercise
  }
}

/** The nosuid/nodev/noexec flags of the mount at `target` (man 5 proc: mountinfo's field 6). */
export function lockedFlags(target: string): number {
  const line = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.split(' ')[4] === target)
    .at(-1);
  const options = (line?.split(' ')[5] ?? '').split(',');
  return (
    (options.includes('nosuid') ? MS.NOSUID : 0) |
    (options.includes('nodev') ? MS.NODEV : 0) |
    (options.includes('noexec') ? MS.NOEXEC : 0)
  );
}
