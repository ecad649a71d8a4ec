// Chapter 5.9 — init mounts the container's own devpts, and with -t makes a terminal in
// it the command's (pty.ts). Compared with 5.8: mountDevpts after the special
// filesystems, useOwnTerminal just before the exec.

import { sethostname, type WindowSize } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate } from '../3.1/init.ts';
import { readConfig } from '../3.3/pipe.ts';
import { mountSpecialFilesystems } from '../4.1/init.ts';
import { pivotInto } from '../4.1/rootfs.ts';
import { mountOverlay } from '../4.2/workspace.ts';
import { mountVolumes } from '../4.3/volumes.ts';
import { execWithEnv } from '../5.8/env.ts';
import type { ContainerConfig as BaseConfig } from '../5.8/init.ts';
import { mountDevpts, useOwnTerminal } from './pty.ts';

export interface ContainerConfig extends BaseConfig {
  /** With -t: the size of the user's terminal; the console socket is on fd 5. */
  terminal?: WindowSize;
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
  mountDevpts();
  sethostname(config.hostname);
  if (config.terminal) useOwnTerminal(config.terminal);
  return execWithEnv(config.command, config.env);
}
