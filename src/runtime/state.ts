// Where the runtime keeps its files. Machinery: everything lives under one state root,
// MYDOCKER_ROOT (default /var/lib/mydocker), so tests can give each run a temporary
// root and run side by side, and `rm -rf` of the root removes every trace.
//
//   <root>/images/<name>.tar        an image (chapter 4.1)
//   <root>/images/<name>/rootfs/    the image unpacked: the read-only lower layer
//   <root>/containers/<id>/         one container's files (write layer from 4.2 on)
//
// Cgroups cannot live under the state root; a container's cgroup is named
// mydocker-<id>, or <MYDOCKER_CGROUP_PREFIX>-<id> when that is set (the tests give each
// state root its own prefix, so test runs side by side can tell their cgroups apart).

import path from 'node:path';

export const DEFAULT_STATE_ROOT = '/var/lib/mydocker';

export function stateRoot(): string {
  return path.resolve(process.env.MYDOCKER_ROOT || DEFAULT_STATE_ROOT);
}

export function containersDir(root = stateRoot()): string {
  return path.join(root, 'containers');
}

export function containerDir(id: string, root = stateRoot()): string {
  return path.join(containersDir(root), id);
}

/** Where the kernel's cgroup filesystems are mounted (man 7 cgroups). */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The name of container `id`'s cgroup (the same in every hierarchy). */
export function cgroupName(id: string): string {
  return `${process.env.MYDOCKER_CGROUP_PREFIX || 'mydocker'}-${id}`;
}
