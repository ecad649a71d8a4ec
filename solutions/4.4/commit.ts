// Chapter 4.4 — `commit CONTAINER IMAGE`: save a running container's files as an image,
// the tarball <state root>/images/IMAGE.tar (the book's commit tars its /root/mnt).
//
// The container's merged root (the image with the write layer over it) is mounted only
// inside the container's own mount namespace, so the host has no path to it. The host
// reaches it through /proc/PID/root (man 5 proc): the root directory of the container's
// init, walked with the mounts of *its* namespace. What is mounted on top of that root —
// the volumes, /proc, /dev and the masked /proc files — is not part of the container's
// filesystem: their mount points, read from /proc/PID/mountinfo, are kept as empty
// directories and their contents left out, as `docker commit` does.
//
// Which process is the container's init? Its cgroup knows (chapter 3.2): of the
// processes in its cgroup, init is the one that is PID 1 in its own PID namespace
// (the last number of the NSpid line in /proc/PID/status).

import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { importImage, imagesDir } from '../../src/runtime/image.ts';
import { cgroupDirsNamed } from '../../src/runtime/leftovers.ts';
import { log } from '../../src/runtime/log.ts';
import { cgroupName, containersDir } from '../../src/runtime/state.ts';

/** The host pid of container `id`'s init, or undefined when the container is not running. */
export function findInit(id: string): number | undefined {
  // exercise: find the container's init among the processes of its cgroup
  for (const dir of cgroupDirsNamed(cgroupName(id))) {
    const pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/) ?? [];
        if (nspid.length > 1 && nspid.at(-1) === '1') return pid;
      } catch {
        // the process ended while we looked
      }
    }
  }
  return undefined;
  // end exercise
}

/** "/a\040b" → "/a b": mountinfo escapes space, tab, newline and backslash in octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Every mount point of process `pid`'s namespace below its root ("/proc", "/data", …). */
export function mountPointsBelowRoot(pid: number): string[] {
  // exercise: read the mount points below the container's root from its mountinfo
  return fs
    .readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => unescape(line.split(' ')[4]!))
    .filter((p) => p !== '/');
  // end exercise
}

/** The container given on the command line: an id, or the start of exactly one id. */
export function resolveContainerId(arg: string, root?: string): string {
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(containersDir(root));
  } catch {
    // no container was ever started here
  }
  if (ids.includes(arg)) return arg;
  const matches = arg ? ids.filter((id) => id.startsWith(arg)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new UsageError(`container "${arg}" is ambiguous: it starts ${matches.join(', ')}`);
  throw new UsageError(`no such container: ${arg}`);
}

/**
 * Save the files of running container `id` as image `image`; returns the tarball's path.
 * The tarball is written beside the images and added with importImage, which refuses an
 * existing name and unpacks it, so the new image is complete or not there at all.
 */
export async function commitContainer(
  stateRoot: string,
  id: string,
  image: string,
  /** a process whose root is the container's files (chapter 5.2: a stopped container's) */
  rootPid?: number,
): Promise<string> {
  // The rule of src/runtime/image.ts, checked before the (possibly long) tarring starts.
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(image)) {
    throw new UsageError(
      `commit: invalid image name '${image}': use 1 to 64 lowercase letters, digits, '.', '_' or '-'`,
    );
  }
  const target = path.join(imagesDir(stateRoot), `${image}.tar`);
  if (fs.existsSync(target)) throw new UsageError(`commit: image '${image}' exists already (${target})`);
  const pid = rootPid ?? findInit(id);
  if (pid === undefined)
    throw new RuntimeError(`commit: container ${id} is not running (only a running container can be committed)`);
  const rootDir = `/proc/${pid}/root`;
  const skip = mountPointsBelowRoot(pid);
  log.debug(`commit: ${rootDir} without the contents of ${skip.join(', ')}`);
  fs.mkdirSync(imagesDir(stateRoot), { recursive: true, mode: 0o755 });
  // A hidden name that image.ts removes if we are killed half-way (.NAME.tmp-PID-x).
  const tmp = path.join(imagesDir(stateRoot), `.${image}.tar.tmp-${process.pid}-commit`);
  // The tar package is loaded here, not at the top: every command of the CLI (a
  // container start too) shares this bundle, and only commit needs it.
  const tar = await import('tar');
  try {
    // exercise: write the container's root, minus what is mounted on it, to a tarball
    // tar does not even enter a mount point (a /proc listing changes while it is read).
    const mounted = (p: string) => {
      const abs = '/' + p.replace(/^\.?\/+/, '');
      return skip.some((m) => abs === m || abs.startsWith(m + '/'));
    };
    await tar.create({ file: tmp, cwd: rootDir, filter: (p) => !mounted(p) }, fs.readdirSync(rootDir).sort());
    // The outermost mount points that are directories go in empty (/proc, /dev, /data).
    // A file mounted over a file is left out: the image's own file is hidden under it.
    const outer = skip.filter((m) => !skip.some((o) => m.startsWith(o + '/')));
    const emptyDirs = outer.filter((m) => fs.statSync(rootDir + m).isDirectory()).map((m) => m.slice(1));
    if (emptyDirs.length) await tar.replace({ file: tmp, cwd: rootDir, noDirRecurse: true }, emptyDirs);
    // end exercise
    await importImage(stateRoot, tmp, image);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return target;
}
