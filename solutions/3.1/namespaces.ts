// Chapter 3.1 — starting a process in new namespaces (man 7 namespaces).
//
// The book's Go code asks clone(2) for the new namespaces when it forks. Node cannot
// pass clone flags to a child, so the two halves are split:
//  - the PID namespace is chosen by the parent: unshare(CLONE_NEWPID) does not move
//    the caller, it sets the namespace its *next children* are born in (man 2 unshare).
//    So the parent saves its own, unshares, spawns, and goes back with setns(2);
//  - the other namespaces (UTS, mount, IPC, network) are entered by the child itself,
//    in init.ts, before it runs anything else.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import { selfCommand } from '../../src/runtime/entry.ts';
import { CLONE, setns, unshare } from '../../src/runtime/sys.ts';

/** The namespaces init enters itself (the PID namespace comes from the parent). */
export const CHILD_NAMESPACES = CLONE.NEWUTS | CLONE.NEWNS | CLONE.NEWIPC | CLONE.NEWNET;

/**
 * Start this stage again as `init ARGS...`, as PID 1 of a new PID namespace.
 * `stdio` is handed to the child as it is.
 */
export function spawnInit(args: string[], stdio: StdioOptions): ChildProcess {
  const { file, args: argv } = selfCommand(['init', ...args]);
  // exercise: start the child in a new PID namespace and put the parent back in its own
  const ownPidNs = fs.openSync('/proc/self/ns/pid', 'r');
  try {
    unshare(CLONE.NEWPID); // children from now on start in a fresh PID namespace
    return spawn(file, argv, { stdio });
  } finally {
    // Back to our own PID namespace, so helpers we start later are ordinary processes.
    setns(ownPidNs, CLONE.NEWPID);
    fs.closeSync(ownPidNs);
  }
  // end exercise
}
