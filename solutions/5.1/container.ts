// Chapter 5.1 — 3.3's runContainer with two additions: init gets a status pipe on fd 4
// (exec-status.ts), and `started(pid)` is called once init has exec'd the command, i.e.
// once the container is really running; if init fails before, runContainer throws its
// error (127, 126 or 125) instead. A detached run reports "started" to the waiting CLI from there (detach.ts);
// chapter 5.2 records the container's pid in its state there. A detached container's
// stdout and stderr are the pipes its monitor copies into the log (log-writer.ts).
//
// base: ../3.3/run.ts

import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from '../3.3/init.ts';
import { sendConfig } from '../3.3/pipe.ts';
import { execOutcome } from './exec-status.ts';
import type { InitOutput } from './log-writer.ts';
import { cgroupName } from '../../src/runtime/state.ts';

export async function runContainer<C extends ContainerConfig>(
  id: string,
  opts: RunOptions,
  config: C,
  started?: (pid: number) => void,
  output?: InitOutput,
): Promise<number> {
  const cgroup = createCgroup(cgroupName(id), opts.resources);
  try {
    const stdin = opts.interactive || opts.tty ? 'inherit' : 'ignore';
    const child = spawnInit([], [stdin, output?.stdout ?? 'inherit', output?.stderr ?? 'inherit', 'pipe', 'pipe']);
    output?.spawned();
    const execed = execOutcome(child);
    try {
      cgroup.addProcess(child.pid!);
      await sendConfig(child, config);
      await execed; // the command runs (or init says why not)
      started?.(child.pid!);
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw err;
    }
    const code = await waitForExit(child);
    await output?.drained(); // all the container wrote is in its log before its end is recorded
    reportOom(cgroup.oomKilled(), code);
    return code;
  } finally {
    await cgroup.destroy();
  }
}
