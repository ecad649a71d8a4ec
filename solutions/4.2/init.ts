// Chapter 4.2 — init mounts the union filesystem before pivoting into it. Compared with
// 4.1: the root is the overlay of image and write layer, mounted here, inside the
// container's mount namespace.

import { sethostname } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate } from '../3.1/init.ts';
import { execInContainer, type ContainerConfig as BaseConfig } from '../3.3/init.ts';
import { readConfig } from '../3.3/pipe.ts';
import { mountSpecialFilesystems } from '../4.1/init.ts';
import { pivotInto } from '../4.1/rootfs.ts';
import { mountOverlay, type Workspace } from './workspace.ts';

/** 3.3's configuration with the workspace, whose merged dir is the container's "/" (4.1's rootfs). */
export interface ContainerConfig extends BaseConfig {
  workspace: Workspace;
}

export function init(): number {
  dieWithParent();
  const config = readConfig<ContainerConfig>();
  enterNamespaces();
  makeMountsPrivate();
  mountOverlay(config.workspace);
  pivotInto(config.workspace.merged);
  mountSpecialFilesystems();
  sethostname(config.hostname);
  return execInContainer(config.command);
}
