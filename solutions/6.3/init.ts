// Chapter 6.3 — init tells the parent when it is in its own namespaces, so the parent
// can connect the network namespace before sending the command; and it names the
// container in its /etc/hosts. Compared with 5.9: enterNamespaces comes first, then the
// "ready" byte, then the configuration.
//
// Why not leave the order as it was? Before 6.3, init read its configuration first and
// entered its namespaces after: there was nothing for the parent to do in between. Now
// there is — the network namespace must exist, and be set up, before the command runs.

import fs from 'node:fs';
import { sethostname } from '../../src/runtime/sys.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate } from '../3.1/init.ts';
import { CONFIG_FD, readConfig } from '../3.3/pipe.ts';
import { mountSpecialFilesystems } from '../4.1/init.ts';
import { pivotInto } from '../4.1/rootfs.ts';
import { mountOverlay } from '../4.2/workspace.ts';
import { mountVolumes } from '../4.3/volumes.ts';
import { execWithEnv } from '../5.8/env.ts';
import type { ContainerConfig as BaseConfig } from '../5.9/init.ts';
import { mountDevpts, useOwnTerminal } from '../5.9/pty.ts';

export interface ContainerConfig extends BaseConfig {
  /** the container's address, if it has a network */
  ip?: string;
}

/** Tell the parent that this process is in its new namespaces: one byte back on fd 3. */
export function signalReady(): void {
  // exercise: write one byte to the configuration socket
  fs.writeSync(CONFIG_FD, 'R');
  // end exercise
}

/** /etc/hosts: localhost, and the container's own name at its address (man 5 hosts). */
export function hostsFile(hostname: string, ip?: string): string {
  return (
    ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...(ip ? [`${ip}\t${hostname}`] : [])].join(
      '\n',
    ) + '\n'
  );
}

export function init(): number {
  dieWithParent();
  enterNamespaces();
  signalReady();
  const config = readConfig<ContainerConfig>();
  makeMountsPrivate();
  mountOverlay(config.workspace);
  mountVolumes(config.workspace.merged, config.volumes);
  pivotInto(config.workspace.merged);
  mountSpecialFilesystems();
  mountDevpts();
  sethostname(config.hostname);
  if (config.ip) fs.writeFileSync('/etc/hosts', hostsFile(config.hostname, config.ip));
  if (config.terminal) useOwnTerminal(config.terminal);
  return execWithEnv(config.command, config.env);
}
