// Chapter 6.3 — 5.9's runContainer (5.1's, with a terminal of the container's own for
// -t) with one more step between the cgroup and the command: once init has entered its
// namespaces it says so (one byte back on the configuration socket, init.ts), and the
// parent connects its network namespace (`attach`) before it sends the configuration. So:
//
//   parent: spawn init ─ cgroup ─ wait "ready" ─ attach(pid) ─ send config ─ wait
//   init:          unshare(UTS|NS|IPC|NET) ─ "ready" ─ read config (blocks) ─ … ─ exec
//
// base: ../5.9/container.ts

import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { cgroupName } from '../../src/runtime/state.ts';
import { spawnInit } from '../3.1/namespaces.ts';
import { waitForExit } from '../3.1/wait.ts';
import { createCgroup } from '../3.2/cgroups/cgroup.ts';
import type { RunOptions } from '../3.2/cli.ts';
import { reportOom } from '../3.2/run.ts';
import type { ContainerConfig } from '../3.3/init.ts';
import { CONFIG_FD, sendConfig } from '../3.3/pipe.ts';
import { execOutcome } from '../5.1/exec-status.ts';
import type { InitOutput } from '../5.1/log-writer.ts';
import { attachTerminal, ConsoleSocket, userTerminalSize, type Attached } from '../5.9/terminal.ts';

/** Resolve once init has written its "ready" byte (it is then in its own namespaces). */
export function initReady(child: ChildProcess): Promise<void> {
  const socket = child.stdio[CONFIG_FD] as Duplex;
  // exercise: wait for one byte from init on the configuration socket (fail if it closes first)
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      socket.off('data', onData).off('end', onEnd).off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => done();
    const onEnd = () => done(new RuntimeError('init ended before it entered its namespaces'));
    socket.once('data', onData).once('end', onEnd).once('error', done);
  });
  // end exercise
}

export async function runContainer<C extends ContainerConfig>(
  id: string,
  opts: RunOptions,
  config: C,
  started?: (pid: number) => void,
  attach?: (pid: number) => void,
  output?: InitOutput,
): Promise<number> {
  const cgroup = createCgroup(cgroupName(id), opts.resources);
  const consoleSocket = opts.tty ? new ConsoleSocket() : undefined;
  let terminal: Attached | undefined;
  try {
    const stdin = opts.interactive && !consoleSocket ? 'inherit' : 'ignore';
    const out = output?.stdout ?? 'inherit';
    const err = output?.stderr ?? 'inherit';
    const child = spawnInit([], [stdin, out, err, 'pipe', 'pipe', ...(consoleSocket ? [consoleSocket.initEnd] : [])]);
    consoleSocket?.spawned();
    output?.spawned();
    const execed = execOutcome(child);
    try {
      cgroup.addProcess(child.pid!);
      await initReady(child);
      attach?.(child.pid!);
      await sendConfig(child, consoleSocket ? { ...config, terminal: userTerminalSize() } : config);
      await execed; // the command runs (or init says why not: chapter 5.1's exec-status.ts)
      if (consoleSocket) terminal = attachTerminal(consoleSocket.receiveMaster(), opts.interactive);
      started?.(child.pid!);
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw err;
    }
    const code = await waitForExit(child);
    await terminal?.output; // all the container wrote is on the user's terminal (5.9)
    await output?.drained(); // the log is complete before the end is recorded (5.1)
    reportOom(cgroup.oomKilled(), code);
    return code;
  } finally {
    terminal?.detach();
    consoleSocket?.close();
    await cgroup.destroy();
  }
}
