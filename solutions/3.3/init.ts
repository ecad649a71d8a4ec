// Chapter 3.3 — init reads its command from the pipe (blocking until the parent has set
// up the cgroup), and hands the command a clean set of file descriptors: 0, 1, 2 and
// nothing else. Every other fd Node or the runtime opened (the pipe itself, Node's
// event loop, anything the host passed down) is marked close-on-exec, so none of them
// leaks into the container — the class of bug behind runc's CVE-2024-21626.

import { log } from '../../src/runtime/log.ts';
import { cloexecFrom, prctl, PR_SET_NO_NEW_PRIVS, sethostname } from '../../src/runtime/sys.ts';
import { execCommand } from '../3.1/exec.ts';
import { dieWithParent, enterNamespaces, makeMountsPrivate, mountProc } from '../3.1/init.ts';
import { readConfig } from './pipe.ts';

/** What the parent sends init through the pipe (later chapters add to it). */
export interface ContainerConfig {
  command: string[];
  /** The container's hostname: its id, as Docker names a container's host by its short id. */
  hostname: string;
}

/** Mark every fd above stderr close-on-exec: the command starts with 0, 1 and 2 only. */
export function closeInheritedFds(): void {
  // exercise: let no fd other than 0, 1 and 2 survive execve
  cloexecFrom(3);
  // end exercise
}

/**
 * The last steps of every init from here on: no fd but 0–2 survives, and the command
 * can never gain privileges through a setuid binary (no_new_privs, man 2 prctl; Docker's
 * --security-opt no-new-privileges). Then become the command.
 */
export function execInContainer(command: string[]): number {
  closeInheritedFds();
  prctl(PR_SET_NO_NEW_PRIVS, 1);
  log.debug(`init: exec ${JSON.stringify(command)}`);
  return execCommand(command);
}

export function init(): number {
  dieWithParent();
  const config = readConfig<ContainerConfig>();
  enterNamespaces();
  // The UTS namespace is the container's own now: naming it changes no other host name
  // (man 2 sethostname, man 7 uts_namespaces).
  sethostname(config.hostname);
  makeMountsPrivate();
  mountProc();
  return execInContainer(config.command);
}
