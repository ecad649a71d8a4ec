// Chapter 5.9 — `exec -t` gets a terminal of the container's own too. There is no init of
// ours inside to make it, so the runtime makes it from outside: /proc/PID/root is the
// container's root as the container sees it, so /proc/PID/root/dev/ptmx opens a new pty
// *in the container's devpts instance* (man 5 devpts), and its slave is
// /proc/PID/root/dev/pts/N — /dev/pts/N inside. The slave is the command's stdin,
// stdout and stderr, and setsid(1) --ctty makes it the controlling terminal of a new
// session before nsenter enters the namespaces (the command inherits both). The runtime
// keeps the master and attaches it to the user's terminal, as `run -t` does.
//
// base: ../5.4/exec.ts

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { parseFlags } from '../../src/runtime/flags.ts';
import { setWindowSize, unlockPty } from '../../src/runtime/sys.ts';
import { containerEnv } from '../3.1/exec.ts';
import { FORWARDED_SIGNALS } from '../3.1/wait.ts';
import { EXEC_FLAGS, execArgv, hostTool, signalExec } from '../5.4/exec.ts';
import { findContainer, isRunning } from '../5.2/state.ts';
import { attachTerminal, checkTerminalFlags, userTerminalSize } from './terminal.ts';

/** A new pty in the devpts of the container whose init is `pid`: [master, slave], both the runtime's. */
export function openContainerPty(pid: number): [number, number] {
  if (!fs.existsSync(`/proc/${pid}/root/dev/pts/ptmx`))
    throw new RuntimeError('exec -t: this container has no devpts of its own (it was started by a stage before 5.9)');
  const flags = fs.constants.O_RDWR | fs.constants.O_NOCTTY; // Node opens every file close-on-exec
  // exercise: open the container's ptmx through /proc/PID/root, unlock the slave and open it
  const master = fs.openSync(`/proc/${pid}/root/dev/pts/ptmx`, flags);
  const slave = fs.openSync(`/proc/${pid}/root/dev/pts/${unlockPty(master)}`, flags);
  return [master, slave];
  // end exercise
}

export async function exec(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, EXEC_FLAGS);
  const [target, ...command] = rest;
  if (!target || command.length === 0) throw new UsageError('usage: exec [-i] [-t] CONTAINER COMMAND [ARG...]');
  const tty = flags.tty === true;
  const interactive = flags.interactive === true;
  checkTerminalFlags(tty, interactive);
  const state = findContainer<{ env: string[] }>(target);
  if (!isRunning(state)) throw new UsageError(`container ${state.name} is not running`);
  const env = state.env ?? containerEnv();
  // As 5.4; with -t, setsid --ctty between setpriv and nsenter: a session of its own, the
  // slave on stdin as its terminal.
  const argv = execArgv(state.id, state.pid!, command, tty ? [hostTool('setsid'), '--ctty'] : []);
  const pty = tty ? openContainerPty(state.pid!) : undefined;
  if (pty) setWindowSize(pty[0], userTerminalSize());
  const stdio = pty
    ? ([pty[1], pty[1], pty[1]] as const)
    : ([interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'] as const);
  // node's spawn, not execa: execa takes no fd number as stdio. The environment given is the whole of it.
  const child = spawn('/bin/sh', argv, {
    env: Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    stdio: [...stdio],
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // The command holds the slave now: ours goes, so the master ends when the command's does.
  if (pty) fs.closeSync(pty[1]);
  const terminal = pty && attachTerminal(pty[0], interactive);
  const forward = (sig: NodeJS.Signals) => signalExec(child.pid!, sig);
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  try {
    const result = await ended;
    await terminal?.output;
    if (result.signal) return 128 + os.constants.signals[result.signal];
    return result.code ?? 125;
  } finally {
    for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
    terminal?.detach();
  }
}
