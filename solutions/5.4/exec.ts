// Chapter 5.4 — `exec CONTAINER COMMAND…`: run one more command inside a running
// container, in all its namespaces (mount, UTS, IPC, network, PID), in its root, with
// its environment, limited by its cgroup.
//
// The book does it in Go with setns(2) from C code that runs before the Go runtime
// starts its threads, because the kernel refuses setns into a mount namespace from a
// multi-threaded process (EINVAL, man 2 setns: "a multithreaded process may not change
// user namespace with setns()"; the same rule holds for CLONE_NEWNS). Node is always
// multi-threaded (libuv's thread pool, V8's helpers), so it cannot do that at all. The
// runtime hands the job to nsenter(1) from util-linux, a small single-threaded C
// program made for exactly this, started through execa (loaded only here: it
// takes longer to load than a whole container start, which never needs it):
//
//   nsenter --target PID --mount --uts --ipc --net --pid --root --wd -- COMMAND…
//
// --root and --wd take the container's root and working directory from init (PID);
// entering a PID namespace makes nsenter fork, so the command really is in it (man 1
// nsenter). Two small steps around it keep the container's rules: a host shell writes
// its own pid into the container's cgroup before it becomes nsenter (so the command is
// limited like the rest of the container), and setpriv(1) sets no_new_privs as init
// did (chapter 3.3). nsenter passes the command's exit code back, or dies by the same
// signal, so `exec` exits like the command did.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { cgroupDirsNamed } from '../../src/runtime/leftovers.ts';
import { cgroupName } from '../../src/runtime/state.ts';
import { containerEnv } from '../3.1/exec.ts';
import { FORWARDED_SIGNALS } from '../3.1/wait.ts';
import { findContainer, isRunning } from '../5.2/state.ts';

export const EXEC_FLAGS: FlagSpec[] = [
  { name: 'interactive', aliases: ['i'], kind: 'bool', help: 'Keep stdin open for the command' },
  { name: 'tty', aliases: ['t'], kind: 'bool', help: 'Attach the command to this terminal' },
];

/** An external program on the host's PATH (nsenter, setpriv), or a clear error. */
export function hostTool(name: string, pkg = 'util-linux'): string {
  for (const dir of (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const file = path.join(dir || '.', name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new RuntimeError(
    `exec needs ${name} from ${pkg}, which is not on PATH (Debian/Ubuntu: apt-get install ${pkg})`,
  );
}

/** The nsenter arguments that enter every namespace of process `pid`, then run `command`. */
export function nsenterArgs(pid: number, command: string[]): string[] {
  // exercise: enter the mount, UTS, IPC, network and PID namespaces, the root and the working directory of pid
  return ['--target', String(pid), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd', '--', ...command];
  // end exercise
}

/**
 * /bin/sh's arguments that run `command` in the container `id` whose init is `pid`: sh
 * joins the container's cgroups, then becomes setpriv, which sets no_new_privs and
 * becomes nsenter. `session` goes between setpriv and nsenter (5.9: setsid --ctty).
 */
export function execArgv(id: string, pid: number, command: string[], session: string[] = []): string[] {
  const procs = cgroupDirsNamed(cgroupName(id)).map((d) => path.join(d, 'cgroup.procs'));
  // The host's sh exports a PWD of its own (the host directory exec was started in):
  // unset, so the command gets the container's environment and nothing else.
  const joinCgroup =
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; unset PWD OLDPWD; exec "$@"';
  return [
    '-c',
    joinCgroup,
    'sh',
    ...procs,
    '--',
    hostTool('setpriv'),
    '--no-new-privs',
    ...session,
    hostTool('nsenter'),
    ...nsenterArgs(pid, command),
  ];
}

/**
 * Pass a signal on to what exec started: nsenter (the process `pid`) and the command
 * nsenter forked into the container's PID namespace. nsenter itself does not pass
 * signals on to that child: Ctrl-C reaches both through the terminal's process group,
 * but a `kill` of this CLI would reach nsenter alone.
 */
export function signalExec(pid: number, signal: NodeJS.Signals): void {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    /* already gone */
  }
  for (const p of [...children, pid]) {
    try {
      process.kill(p, signal);
    } catch {
      /* ended meanwhile */
    }
  }
}

export async function exec(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, EXEC_FLAGS);
  const [target, ...command] = rest;
  if (!target || command.length === 0) throw new UsageError('usage: exec [-i] [-t] CONTAINER COMMAND [ARG...]');
  // The container's environment, once a chapter records it (5.8); Docker's defaults until then.
  const state = findContainer<{ env: string[] }>(target);
  if (!isRunning(state)) throw new UsageError(`container ${state.name} is not running`);
  const env = state.env ?? containerEnv();
  const argv = execArgv(state.id, state.pid!, command);
  const stdin = flags.interactive || flags.tty ? 'inherit' : 'ignore';
  const { execa } = await import('execa');
  // exercise: run it with the container's environment only, and pass its exit on
  const child = execa('/bin/sh', argv, {
    env: Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    extendEnv: false, // the host's environment stays on the host
    stdio: [stdin, 'inherit', 'inherit'],
    reject: false,
  });
  const forward = (sig: NodeJS.Signals) => signalExec(child.pid!, sig);
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  const result = await child;
  for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
  if (result.signal) return 128 + os.constants.signals[result.signal];
  return result.exitCode ?? 125;
  // end exercise
}
