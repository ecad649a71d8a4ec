// Chapter 3.1 — `init`: the first process of the container. `run` starts it as PID 1 of
// a new PID namespace; init enters the other namespaces itself, mounts a /proc that
// shows only its own processes, and then execs the user's command in its own place.
//
// Everything here is synchronous on purpose: unshare(2) moves only the calling thread,
// and Node's worker threads stay behind in the host's namespaces. Synchronous calls run
// on the main thread, the one that will execve.

import { log } from '../../src/runtime/log.ts';
import { mount, MS, prctl, PR_SET_PDEATHSIG, unshare } from '../../src/runtime/sys.ts';
import os from 'node:os';
import { execCommand } from './exec.ts';
import { CHILD_NAMESPACES } from './namespaces.ts';

/** If the runtime dies (even by SIGKILL), the kernel kills the container too (man 2 prctl). */
export function dieWithParent(): void {
  prctl(PR_SET_PDEATHSIG, os.constants.signals.SIGKILL);
}

/** Enter new UTS, mount, IPC and network namespaces (the PID namespace came from run). */
export function enterNamespaces(): void {
  // exercise: enter the new namespaces
  unshare(CHILD_NAMESPACES);
  // end exercise
}

/**
 * Stop mount events from crossing between the host and the container. On systemd
 * hosts `/` is a *shared* mount (man 7 mount_namespaces): without this, the /proc we
 * mount next would appear on the host too and hide the host's own /proc — the
 * book's well-known bug, fixed by making every mount in our new namespace private.
 */
export function makeMountsPrivate(): void {
  // exercise: make every mount in the new mount namespace private
  mount(null, '/', null, MS.REC | MS.PRIVATE);
  // end exercise
}

/** Mount a fresh proc filesystem: it shows the processes of *our* PID namespace (man 5 proc). */
export function mountProc(target = '/proc'): void {
  // exercise: mount a new proc filesystem on /proc
  mount('proc', target, 'proc', MS.NOSUID | MS.NODEV | MS.NOEXEC);
  // end exercise
}

export function init(args: string[]): number {
  const command = args[0] === '--' ? args.slice(1) : args;
  dieWithParent();
  enterNamespaces();
  makeMountsPrivate();
  mountProc();
  log.debug(`init: exec ${JSON.stringify(command)}`);
  return execCommand(command);
}
