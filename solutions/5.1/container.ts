// Chapter 5.1 — 3.3's runContainer with one addition: `started(pid)` is called once init
// is in its cgroup and has its configuration, i.e. once the container is really
// running. A detached run reports "started" to the waiting CLI from there (detach.ts);
// chapter 5.2 records the container's pid in its state there.
//
// base: ../3.3/run.ts

import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from '../3.3/init.ts';
import { sendConfig } from '../3.3/pipe.ts';
import { cgroupName } from '../../src/runtime/state.ts';

export async function runContainer<C extends ContainerConfig>(
  id: string,
  opts: RunOptions,
  config: C,
  started?: (pid: number) => void,
): Promise<number> {
  const cgroup = createCgroup(cgroupName(id), opts.resources);
  try {
    const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
    const child = spawnInit([], [stdin, 'inherit', 'inherit', 'pipe']);
    try {
      cgroup.addProcess(child.pid!);
      await sendConfig(child, config);
      started?.(child.pid!);
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw err;
    }
    const code = await waitForExit(child);
    reportOom(cgroup.oomKilled(), code);
    return code;
  } finally {
    await cgroup.destroy();
  }
}
