// Chapter 5.8 — init execs the command with the container's environment. Compared with
// 4.3: the last step is execWithEnv (env.ts) instead of execInContainer.

import { sethostname } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate } from '../3.1/init.ts';
import { readConfig } from '../3.3/pipe.ts';
import { mountSpecialFilesystems } from '../4.1/init.ts';
import { pivotInto } from '../4.1/rootfs.ts';
import { mountOverlay } from '../4.2/workspace.ts';
import type { ContainerConfig as BaseConfig } from '../4.3/init.ts';
import { mountVolumes } from '../4.3/volumes.ts';
import { execWithEnv } from './env.ts';

export interface ContainerConfig extends BaseConfig {
  env: string[];
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
  return execWithEnv(config.command, config.env);
}
