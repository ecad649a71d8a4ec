// Chapter 6.2 — running iproute2's `ip` and `iptables`, as the book does (it shells out
// to iptables and uses netlink through a Go library for the rest; Node has no netlink,
// so `ip` stands in for it). Through execa, synchronously: network setup is a handful of
// short commands, and a synchronous call is one a reader can follow line by line.
//
// A failed command becomes one line for the user, naming the command and what the tool
// said, e.g.  `ip link add br0 type bridge: RTNETLINK answers: File exists`  (exit 125).

import { execaSync } from 'execa';
import { RuntimeError } from '../../src/errors.ts';
import { log } from '../../src/log.ts';

/** Run `cmd args…`; its stdout. Throws a RuntimeError with the tool's own message. */
export function tool(cmd: string, args: string[], input?: string): string {
  log.debug(`${cmd} ${args.join(' ')}${input ? ` <<< ${JSON.stringify(input)}` : ''}`);
  const r = execaSync(cmd, args, { reject: false, input, stdin: input === undefined ? 'ignore' : 'pipe' });
  if (r.failed) {
    const why = String(r.stderr || r.stdout).trim().split('\n')[0] || (r.code === 'ENOENT' ? 'not found: install it (npm run doctor)' : `exit ${r.exitCode}`);
    throw new RuntimeError(`${cmd} ${args.join(' ')}: ${why}`);
  }
  return String(r.stdout);
}

/** Whether `cmd args…` succeeds (for questions such as "does this rule exist?"). */
export function succeeds(cmd: string, args: string[]): boolean {
  return execaSync(cmd, args, { reject: false, stdin: 'ignore' }).exitCode === 0;
}

export const ip = (...args: string[]) => tool('ip', args);
export const iptables = (...args: string[]) => tool('iptables', ['-w', ...args]);
