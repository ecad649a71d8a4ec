// Chapter 3.3 — `run` sends the command through a pipe. Compared with 3.2: init gets a
// fourth fd (the pipe) instead of the command in its argv, and the parent writes the
// command only after init is in its cgroup.

import { withContainer } from '../../src/runtime/leftovers.ts';
import { cgroupName } from '../../src/runtime/state.ts';
import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from './init.ts';
import { sendConfig } from './pipe.ts';

/**
 * Start container `id` with `config` sent to its init, limited by opts.resources, and
 * wait for it to end. Later chapters prepare more (a root filesystem, volumes) and
 * call this with a bigger config.
 */
export async function runContainer<C extends ContainerConfig>(
  id: string,
  opts: RunOptions,
  config: C,
): Promise<number> {
  const cgroup = createCgroup(cgroupName(id), opts.resources);
  try {
    const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
    const child = spawnInit([], [stdin, 'inherit', 'inherit', 'pipe']);
    // exercise: put init in its cgroup, then send it the configuration
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

export function run(opts: RunOptions): Promise<number> {
  return withContainer(newContainerId(), (id) => runContainer(id, opts, { command: opts.command, hostname: id }));
}
