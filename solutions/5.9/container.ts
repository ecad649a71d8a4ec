// Chapter 5.9 — 5.1's runContainer with a terminal of the container's own for -t: init
// gets the console socket as fd 5 and the size of the user's terminal in its
// configuration; once the command runs, the runtime takes the master init sent and
// attaches it to the user's terminal (terminal.ts). The container's end is its exit
// code as before, and the runtime exits only once all it wrote has been copied out.
//
// base: ../5.1/container.ts

import { cgroupName } from '../../src/runtime/state.ts';
import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from '../3.3/init.ts';
import { sendConfig } from '../3.3/pipe.ts';
import { execOutcome } from '../5.1/exec-status.ts';
import type { InitOutput } from '../5.1/log-writer.ts';
import { attachTerminal, ConsoleSocket, userTerminalSize, type Attached } from './terminal.ts';

export async function runContainer<C extends ContainerConfig>(
  id: string,
  opts: RunOptions,
  config: C,
  started?: (pid: number) => void,
  output?: InitOutput,
): Promise<number> {
  const cgroup = createCgroup(cgroupName(id), opts.resources);
  const consoleSocket = opts.tty ? new ConsoleSocket() : undefined;
  let terminal: Attached | undefined;
  try {
    // With -t the keys go through the terminal; -i alone keeps stdin a pipe, as before.
    const stdin = opts.interactive && !consoleSocket ? 'inherit' : 'ignore';
    const out = output?.stdout ?? 'inherit';
    const err = output?.stderr ?? 'inherit';
    const child = spawnInit([], [stdin, out, err, 'pipe', 'pipe', ...(consoleSocket ? [consoleSocket.initEnd] : [])]);
    consoleSocket?.spawned();
    output?.spawned();
    const execed = execOutcome(child);
    try {
      cgroup.addProcess(child.pid!);
      await sendConfig(child, consoleSocket ? { ...config, terminal: userTerminalSize() } : config);
      await execed; // the command runs (or init says why not)
      // exercise: take the master init sent and attach it to the user's terminal
      if (consoleSocket) terminal = attachTerminal(consoleSocket.receiveMaster(), opts.interactive);
      // end exercise
      started?.(child.pid!);
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw err;
    }
    const code = await waitForExit(child);
    await terminal?.output; // all the container wrote is on the user's terminal before we exit
    await output?.drained(); // all the container wrote is in its log before its end is recorded
    reportOom(cgroup.oomKilled(), code);
    return code;
  } finally {
    terminal?.detach(); // the user's terminal as it was, whatever happened
    consoleSocket?.close();
    await cgroup.destroy();
  }
}
