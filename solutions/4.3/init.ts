// Chapter 4.3 — init mounts the volumes. Compared with 4.2: between mounting the union
// root and pivoting into it, bind-mount each volume onto its place in the root.

import { sethostname } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate } from '../3.1/init.ts';
import { execInContainer } from '../3.3/init.ts';
import { readConfig } from '../3.3/pipe.ts';
import { mountSpecialFilesystems } from '../4.1/init.ts';
import { pivotInto } from '../4.1/rootfs.ts';
import type { ContainerConfig as BaseConfig } from '../4.2/init.ts';
import { mountOverlay } from '../4.2/workspace.ts';
import { mountVolumes, type Volume } from './volumes.ts';

export interface ContainerConfig extends BaseConfig {
  volumes: Volume[];
}

export function init(): number {
  dieWithParent();
  const config = readConfig<ContainerConfig>();
  enterNamespaces();
  makeMountsPrivate();
  mountOverlay(config.workspace);
  mountVolumes(config.workspace.merged, config.volumes);
  pivotInto(config.workspace.merged);
  mountSpecialFilesystems();
  sethostname(config.hostname);
  return execInContainer(config.command);
}
