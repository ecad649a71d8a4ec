// Chapter 6.2 — running iproute2's `ip` and `iptables`, as the book does (it shells out
// to iptables and uses netlink through a Go library for the rest; Node has no netlink,
// so `ip` stands in for it). Synchronously: network setup is a handful of short
// commands, and a synchronous call is one a reader can follow line by line.
//
// Through Node's own spawnSync, not execa as elsewhere: these calls are on the start path
// of every `run --net`, and loading execa costs about 150 ms (docs/performance.md), more
// than all of a container's network setup; spawnSync is already loaded.
//
// A failed command becomes one line for the user, naming the command and what the tool
// said, e.g.  `ip link add br0 type bridge: RTNETLINK answers: File exists`  (exit 125).

import { spawnSync } from 'node:child_process';
import { RuntimeError } from '../../src/runtime/errors.ts';
import { log } from '../../src/runtime/log.ts';

/** Run `cmd args…` (with `input` on its stdin); its stdout. Throws a RuntimeError with the tool's own message. */
export function tool(cmd: string, args: string[], input?: string): string {
  log.debug(`${cmd} ${args.join(' ')}${input ? ` <<< ${JSON.stringify(input)}` : ''}`);
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (r.error || r.status !== 0) {
    const said = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
    const why =
      (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'not found: install it (npm run doctor)'
        : said.split('\n')[0] || `exit ${r.status ?? r.signal}`;
    // `ip -batch -` says which of its input lines failed ("Command failed -:2"): name it.
    const line = /Command failed -:(\d+)/.exec(said)?.[1];
    const which = line && input ? ` (${input.split('\n')[Number(line) - 1]})` : '';
    throw new RuntimeError(`${cmd} ${args.join(' ')}${which}: ${why}`);
  }
  return r.stdout;
}

/** Whether `cmd args…` succeeds (for questions such as "does this rule exist?"). */
export function succeeds(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export const ip = (...args: string[]) => tool('ip', args);
export const iptables = (...args: string[]) => tool('iptables', ['-w', ...args]);
