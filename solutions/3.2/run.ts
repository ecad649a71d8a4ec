// Chapter 3.2 — `run` puts the container in its own cgroup. Compared with 3.1: make the
// cgroup with its limits before starting init, add init's pid as soon as it exists,
// report an OOM kill, and remove the cgroup after the container ends.
//
// Note the race the book has here: init is already running when its pid is added, so
// its first instructions run outside the limits. Chapter 3.3 closes it with a pipe.

import { withContainer } from '../../src/runtime/leftovers.ts';
import { cgroupName } from '../../src/runtime/state.ts';
import { log } from '../../src/runtime/log.ts';
import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from './cgroups/cgroup.ts';
import type { RunOptions } from './cli.ts';
import { newContainerId } from './container-id.ts';

export function run(opts: RunOptions): Promise<number> {
  // withContainer records this runtime as the container's owner, so if it is killed
  // the next run removes the cgroup it could not (src/runtime/leftovers.ts).
  return withContainer(newContainerId(), async (id) => {
    const cgroup = createCgroup(cgroupName(id), opts.resources);
    try {
      const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
      const child = spawnInit(['--', ...opts.command], [stdin, 'inherit', 'inherit']);
      // exercise: put the container's init into its cgroup
      try {
        cgroup.addProcess(child.pid!);
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
  });
}

/** Say why a container died when the kernel's OOM killer did it (Docker's OOMKilled). */
export function reportOom(oomKilled: boolean, code: number): void {
  if (!oomKilled) return;
  if (code === 137) log.error('the container was killed by the kernel: out of memory (raise -m)');
  else log.warn('a process in the container was killed for going over the memory limit (-m)');
}
