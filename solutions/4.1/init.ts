// Chapter 4.1 — init switches to the image's root filesystem before it execs the
// command. Compared with 3.3: after making mounts private, pivot into the rootfs the
// parent named, then mount /proc and /dev *inside* it.

import { sethostname } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate, mountProc } from '../3.1/init.ts';
import { execInContainer, type ContainerConfig as BaseConfig } from '../3.3/init.ts';
import { readConfig } from '../3.3/pipe.ts';
import { maskProc, mountDev, pivotInto } from './rootfs.ts';

export interface ContainerConfig extends BaseConfig {
  /** The directory that becomes the container's "/" (on the host, before the pivot). */
  rootfs: string;
}

/** Everything after the pivot: the container's own /proc (its risky corners masked) and /dev. */
export function mountSpecialFilesystems(): void {
  mountProc('/proc');
  mountDev('/dev');
  maskProc();
}

export function init(): number {
  dieWithParent();
  const config = readConfig<ContainerConfig>();
  enterNamespaces();
  makeMountsPrivate();
  pivotInto(config.rootfs);
  mountSpecialFilesystems();
  sethostname(config.hostname);
  return execInContainer(config.command);
}
