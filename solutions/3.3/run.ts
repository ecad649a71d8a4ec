// Chapter 3.3 — `run` sends the command through a pipe. Compared with 3.2: init gets a
// fourth fd (the pipe) instead of the command in its argv, and the parent writes the
// command only after init is in its cgroup.

import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import { newContainerId } from '../3.2/container-id.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from './init.ts';
import { sendConfig } from './pipe.ts';

export async function run(opts: RunOptions): Promise<number> {
  const id = newContainerId();
  const cgroup = createCgroup(`mydocker-${id}`, opts.resources);
  try {
    const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
    const child = spawnInit([], [stdin, 'inherit', 'inherit', 'pipe']);
    const config: ContainerConfig = { command: opts.command };
    // exercise: put init in its cgroup, then send it the command
    try {
      cgroup.addProcess(child.pid!);
      await sendConfig(child, config);
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw err;
    }
    // end exercise
    const code = await waitForExit(child);
    reportOom(cgroup.oomKilled(), code);
    return code;
  } finally {
    await cgroup.destroy();
  }
}
