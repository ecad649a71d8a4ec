// Chapter 5.2 — `commit` of a stopped container. A detached container is kept until `rm`,
// and with it its write layer (state.ts), as Docker keeps it: so a container that has
// ended can still be saved as an image, until it is removed.
//
// A running container's files are reached through its init's root (/proc/PID/root,
// chapter 4.4). A stopped one has no process, and its overlay is mounted nowhere. So a
// helper process gets a mount namespace of its own (unshare(1) --mount, propagation
// private: nothing it mounts reaches the host), mounts the image with the write layer
// over it, read-only (overlayfs with two lower layers and no upper, the write layer on
// top), and chroots into it; 4.4's commit then reads that helper's root as it reads a
// running init's. When the helper is killed, its namespace and the mount go with it.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { ensureImage } from '../../src/runtime/image.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { commitContainer, findInit } from '../4.4/commit.ts';
import { WRITE_LAYER, type ContainerState } from './state.ts';

/** Commit container `state`: running as in 4.4, stopped from its kept write layer. */
export async function commitKept(
  stateRoot: string,
  state: ContainerState & { image?: string },
  image: string,
): Promise<string> {
  if (findInit(state.id) !== undefined) return commitContainer(stateRoot, state.id, image);
  const upper = path.join(containerDir(state.id, stateRoot), WRITE_LAYER);
  if (!fs.existsSync(upper)) {
    throw new RuntimeError(`commit: container ${state.name} is not running and its write layer is gone`);
  }
  const lower = await ensureImage(stateRoot, state.image ?? 'busybox');
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-commit-'));
  const script = 'mount -t overlay -o "lowerdir=$1:$2" overlay "$3" && exec chroot "$3" /bin/sleep 1000';
  const helper = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', upper, lower, mnt],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  helper.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  try {
    // Ready once the helper is the chrooted sleep (its root is then the union).
    for (let i = 0; ; i++) {
      let comm = '';
      try {
        comm = fs.readFileSync(`/proc/${helper.pid}/comm`, 'utf8').trim();
      } catch {
        // not started yet, or gone
      }
      if (comm === 'sleep') break;
      if (helper.exitCode !== null || helper.signalCode !== null || i > 200)
        throw new RuntimeError(`commit: could not mount the files of container ${state.name}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return await commitContainer(stateRoot, state.id, image, helper.pid);
  } finally {
    helper.kill('SIGKILL');
    await exited;
    fs.rmSync(mnt, { recursive: true, force: true });
  }
}
