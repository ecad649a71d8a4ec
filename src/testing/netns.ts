// The network sandbox of the chapter 6 tests. Machinery: a network namespace (and a
// mount namespace) made by the test, which plays "the host" for the runtime under test.
//
// Chapter 6 creates bridges, veth pairs, addresses, routes and iptables rules. None of
// that may ever reach the machine's own network, so a test opens a sandbox:
//
//   unshare --net --mount --propagation private  sh -c 'ip link set lo up; … sleep'
//     └── holds a fresh network namespace (its own links, routes, iptables tables,
//         net.ipv4.* sysctls) and a private copy of the mount table
//
// and runs every CLI of the test inside it (`nsenter --target HOLDER --net --mount`, the
// harness's `under`), as well as every `ip`/`iptables`/`ping`/`nc` the test uses to look.
// Packets only ever travel between namespaces the test made. `close()` kills what is
// left inside and the holder; the kernel then frees the namespace and everything in it
// (bridge, veth, rules). `hostNetwork()` snapshots what the machine itself shows
// (`ip -o link`, `iptables-save`, read-only), so a test can prove it changed nothing.

import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import fs from 'node:fs';
import * as assert from 'uvu/assert';
import { collect, startCli, type Result, type RunOpts } from './harness.ts';

export interface NetSandbox {
  /** The pid of the process holding the namespaces. */
  pid: number;
  /** The argv prefix that runs a command inside the sandbox. */
  under: string[];
  /** Run the stage's CLI inside the sandbox. */
  cli(stage: string, args: string[], opts: RunOpts): Promise<Result>;
  /** Start the stage's CLI inside the sandbox (for a session the test talks to). */
  startCli(stage: string, args: string[], opts: RunOpts): ChildProcess;
  /** Run a command inside the sandbox; never throws (look at exitCode). */
  sh(command: string, timeoutMs?: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Kill the holder (and what was started for the test inside); the namespaces go with their last process. */
  close(): Promise<void>;
  /** Steps close() runs first (an outside peer's end). */
  cleanups: Array<() => Promise<void>>;
}

/** Open a sandbox: a fresh network namespace with `lo` up, in a private mount namespace. */
export async function openSandbox(): Promise<NetSandbox> {
  const holder = spawn(
    'unshare',
    [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'ip link set lo up && echo ready && exec sleep 1000000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  holder.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`network sandbox: unshare ended (${code}): ${err.trim()}`)));
  });
  const pid = holder.pid!;
  // The same namespaces, checked: a sandbox that shares the machine's network is no sandbox.
  assert.is.not(
    fs.readlinkSync(`/proc/${pid}/ns/net`),
    fs.readlinkSync('/proc/self/ns/net'),
    'the sandbox has its own network namespace',
  );
  const under = ['nsenter', `--target=${pid}`, '--net', '--mount', '--'];
  const cleanups: Array<() => Promise<void>> = [];
  return {
    pid,
    cleanups,
    under,
    cli: (stage, args, opts) => collect(startCli(stage, args, { ...opts, under }), opts),
    startCli: (stage, args, opts) => startCli(stage, args, { ...opts, under }),
    sh: async (command, timeoutMs = 20_000) => {
      const r = await execa(under[0]!, [...under.slice(1), 'sh', '-c', command], { reject: false, timeout: timeoutMs });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    close: async () => {
      for (const step of cleanups.splice(0)) await step();
      if (holder.exitCode === null && holder.signalCode === null) {
        const gone = new Promise((r) => holder.once('exit', r));
        holder.kill('SIGKILL');
        await gone;
      }
    },
  };
}

/** What the machine's own network shows (read only): links and every iptables rule. */
export async function hostNetwork(): Promise<{ links: string[]; rules: string[] }> {
  const links = (await execa('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    // state and counters may change by themselves; the set of links with their names may not
    .map((l) => l.split(':').slice(0, 2).join(':').trim())
    .sort();
  const rules = (await execa('iptables-save')).stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, ''));
  return { links, rules };
}

/** Assert that the machine's own network is as it was in `before`. */
export async function assertHostNetworkUnchanged(before: { links: string[]; rules: string[] }): Promise<void> {
  const after = await hostNetwork();
  assert.equal(after.links, before.links, "the machine's own links changed");
  assert.equal(after.rules, before.rules, "the machine's own iptables rules changed");
}

const BUILT_IN = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);

/**
 * The iptables rules and non-built-in chains inside the sandbox, table by table
 * ("nat: -A POSTROUTING -j X"): what a network adds, and what must be gone after it.
 */
export async function sandboxRules(box: NetSandbox): Promise<string[]> {
  const r = await box.sh('iptables-save');
  assert.is(r.exitCode, 0, `iptables-save in the sandbox: ${r.stderr}`);
  let table = '';
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith('-A ') || (line.startsWith(':') && !BUILT_IN.has(line.slice(1).split(' ')[0]!)))
      out.push(`${table}: ${line.replace(/ \[\d+:\d+\]$/, '')}`);
  }
  return out;
}

/** The sandbox's network interfaces, by name (`ip -o link`), e.g. ['lo', 'br0', 'veth1a2b']. */
export async function sandboxLinks(box: NetSandbox): Promise<string[]> {
  const r = await box.sh('ip -o link show');
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!)
    .sort();
}

/**
 * A second namespace inside the sandbox, wired to the sandbox host by a veth pair:
 * "a machine outside" that reaches the host at `hostAddr` (e.g. 10.123.0.1/24) from
 * `peerAddr`. Its holder is a `sleep` started through the sandbox, so it lives inside it.
 */
export async function outsidePeer(
  box: NetSandbox,
  hostAddr: string,
  peerAddr: string,
): Promise<{
  sh(command: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}> {
  const holder = spawn(box.under[0]!, [...box.under.slice(1), 'unshare', '--net', '--', 'sleep', '1000000'], {
    stdio: 'ignore',
  });
  const pid = holder.pid!;
  const close = async () => {
    if (holder.exitCode !== null || holder.signalCode !== null) return;
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
  };
  box.cleanups.push(close);
  // nsenter and unshare exec without forking: the pid is the sleep's, once it is in its namespace.
  const sandboxNet = fs.readlinkSync(`/proc/${box.pid}/ns/net`);
  for (
    let i = 0;
    i < 200 &&
    (!fs.existsSync(`/proc/${pid}/ns/net`) ||
      fs.readlinkSync(`/proc/${pid}/ns/net`) === sandboxNet ||
      fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep');
    i++
  ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const inPeer = (command: string) =>
    box.sh(`nsenter --net=/proc/${pid}/ns/net sh -c '${command.replace(/'/g, `'\\''`)}'`);
  const wire = await box.sh(
    `ip link add outside0 type veth peer name eth0 netns ${pid} && ip addr add ${hostAddr} dev outside0 && ip link set outside0 up`,
  );
  assert.is(wire.exitCode, 0, `wiring the outside peer: ${wire.stderr}`);
  const inside = await inPeer(`ip link set lo up && ip addr add ${peerAddr} dev eth0 && ip link set eth0 up`);
  assert.is(inside.exitCode, 0, `setting up the outside peer: ${inside.stderr}`);
  return { sh: inPeer, close };
}
