// The test harness every chapter's tests use. Machinery: it runs a stage's CLI the way
// a user does (a real process, as root), each test with its own temporary state root,
// and takes snapshots of what the host shows — its mount table and its cgroups — so a
// test can prove a container left nothing behind.
//
// Which stage is under test: MYDOCKER_STAGE (a folder holding main.ts, e.g.
// exercises/4.3 when a learner runs `npm run verify 4.3`), else solutions/<tag>.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { bundleStage } from '../workshop/bundle.ts';
import { chaptersBefore } from '../workshop/chapters.ts';
import { REPO } from '../workshop/repo.ts';
import {
  cgroupsNamed,
  cleanUpOnSignal,
  cleanUpRoot,
  Containment,
  describePid,
  killAndWait,
  liveContainments,
  running,
} from './contain.ts';

export { REPO };

/**
 * Every wait and time-out below is multiplied by MYDOCKER_TIME_SCALE (default 1): the
 * cgroup v2 VM sets it when it runs emulated, where a container start takes seconds.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.MYDOCKER_TIME_SCALE) || 1);

const TSX = path.join(REPO, 'node_modules/tsx/dist/esm/index.mjs');

/** The stage folder under test (absolute). */
export function stageDir(defaultTag: string): string {
  const fromEnv = process.env.MYDOCKER_STAGE;
  return path.resolve(REPO, fromEnv || `solutions/${defaultTag}`);
}

/**
 * The file a stage uses for `rel` (e.g. "cgroups/resources.ts"): its own copy if it has
 * one, else the nearest earlier chapter's in solutions/ — where the stage's imports
 * lead (stages are layers; exercises import earlier chapters from solutions/).
 */
export function stageFile(defaultTag: string, rel: string): string {
  const own = path.join(stageDir(defaultTag), rel);
  if (fs.existsSync(own)) return own;
  const tag = stageTag(defaultTag);
  const earlier = chaptersBefore(tag).reverse();
  for (const c of earlier) {
    const p = path.join(REPO, 'solutions', c.tag, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`no stage up to ${tag} has ${rel}`);
}

/** The tag of the stage under test, e.g. "4.3" (the folder's name). */
export function stageTag(defaultTag: string): string {
  return path.basename(stageDir(defaultTag));
}

/** Whether the stage under test is at least chapter `tag` (for checks a later chapter added). */
export function stageAtLeast(defaultTag: string, tag: string): boolean {
  const [a1, a2] = stageTag(defaultTag).split('.').map(Number);
  const [b1, b2] = tag.split('.').map(Number);
  return a1! > b1! || (a1 === b1 && a2! >= b2!);
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOpts {
  /** MYDOCKER_ROOT for this run. */
  root: string;
  /** Written to the CLI's stdin, which is then closed. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL), with everything it started, after this long; default 60 s (MYDOCKER_TEST_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Run the stage from its sources through tsx instead of its bundle. */
  viaTsx?: boolean;
  /** A command to run the CLI under, e.g. ['strace', '-o', file]: the CLI's argv follows it. */
  under?: string[];
}

const bundles = new Map<string, string>();

/**
 * How to start a stage: its bundle (built once per test process, see src/workshop/bundle.ts),
 * as `npm run chapter` does; with MYDOCKER_NO_BUNDLE=1 its sources through tsx.
 */
export function cliArgv(stage: string, viaTsx = process.env.MYDOCKER_NO_BUNDLE === '1'): string[] {
  if (viaTsx) return ['--import', TSX, path.join(stage, 'main.ts')];
  if (!bundles.has(stage)) bundles.set(stage, bundleStage(stage));
  return [bundles.get(stage)!];
}

/** The CLI started last, with what it printed on stderr and how it ended (if it has). */
let lastCli: { stderr: string; exit?: string } | undefined;

/**
 * Why waiting for the last started CLI's container is pointless: it has already ended.
 * The reason carries its stderr, so an exercise's NotImplemented message reaches the
 * test's failure instead of a time-out.
 */
function cliEnded(): string | undefined {
  return lastCli?.exit && `the CLI ended (${lastCli.exit}) first; its stderr: ${lastCli.stderr.trim() || '(empty)'}`;
}

/** Start the stage's CLI with `args`. */
export function startCli(stage: string, args: string[], opts: RunOpts): ChildProcess {
  const child = spawnCli(stage, args, opts);
  const seen: { stderr: string; exit?: string } = { stderr: '' };
  lastCli = seen;
  child.stderr!.on('data', (d) => (seen.stderr += d));
  child.once('exit', (code, signal) => (seen.exit = signal ? `signal ${signal}` : `exit ${code}`));
  return child;
}

/** What each started CLI holds (see contain.ts): its process group and a cgroup of the harness's. */
const containments = new WeakMap<ChildProcess, Containment>();

function spawnCli(stage: string, args: string[], opts: RunOpts): ChildProcess {
  const c = new Containment(`mydocker ${args.join(' ')}`, `${cgroupPrefix(opts.root)}-`);
  const enter = c.nodeArgs();
  const [file, ...argv] = [
    ...(opts.under ?? []),
    process.execPath,
    ...enter.execArgv,
    ...cliArgv(stage, opts.viaTsx),
    ...args,
  ];
  const child = spawn(file!, argv, {
    cwd: REPO,
    env: {
      ...process.env,
      MYDOCKER_ROOT: opts.root,
      MYDOCKER_CGROUP_PREFIX: cgroupPrefix(opts.root),
      FORCE_COLOR: '0',
      ...enter.env,
      ...opts.env,
    },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // A session and process group of its own: a kill of the group reaches its helpers,
    // and a Ctrl-C on the terminal reaches only the test process, which cleans up.
    detached: true,
  });
  // A CLI may end without reading its input (a refused flag, an exercise's
  // NotImplemented): writing to it then fails with EPIPE, which is no failure of the
  // test. What the CLI printed and how it exited are what the test checks.
  child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  c.started(child.pid);
  containments.set(child, c);
  return child;
}

/** Run the stage's CLI to the end and collect what it printed and how it exited. */
export function runCli(stage: string, args: string[], opts: RunOpts): Promise<Result> {
  const child = startCli(stage, args, opts);
  return collect(child, opts);
}

/**
 * How long a CLI may run unless a test says otherwise. 60 s leaves room for a loaded
 * machine running many test files at once; `npm run verify`, one chapter on a quiet
 * machine, sets MYDOCKER_TEST_TIMEOUT_MS to 30 s so a stage that hangs fails sooner.
 */
const DEFAULT_TIMEOUT_MS = Number(process.env.MYDOCKER_TEST_TIMEOUT_MS) || 60_000;

/** How long output may still come after the CLI has exited, before whoever holds its pipes is killed. */
const DRAIN_MS = 3000;

/**
 * Collect a started CLI's output and exit. Never waits longer than `timeoutMs` (then
 * everything the CLI started is killed and the test fails with "killed after N s"),
 * nor longer than a short drain after the CLI exited: a process it left behind that
 * still holds its stdout or stderr is killed and named in the failure.
 */
export function collect(child: ChildProcess, opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  const c = containments.get(child);
  const timeoutMs = (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) * TIME_SCALE;
  const test = running.test ? ` in test "${running.test}"` : '';
  const label = c?.label ?? 'the CLI';
  const result = new Promise<Result>((resolve, reject) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let failure: string | undefined;
    let drain: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      if (c?.pids().length === 0) c.release();
      if (failure) reject(new Error(`${failure}; its stderr: ${stderr.trim() || '(empty)'}`));
      else resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, stdout, stderr });
    };
    /** Stop waiting for the pipes: whatever still holds them is killed, and they are closed on our side. */
    const giveUp = () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
      settle();
    };
    const timer = setTimeout(() => {
      const started = c?.killAll() ?? (child.kill('SIGKILL'), []);
      failure = `killed after ${Math.round(timeoutMs / 1000)} s${test}: \`${label}\` had not ended${started.length ? ` (still running: ${started.slice(0, 4).join(', ')})` : ''}`;
      // The kill ends the CLI; if even that does not come, stop waiting soon.
      drain = setTimeout(giveUp, DRAIN_MS);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (failure) return;
      clearTimeout(timer);
      drain = setTimeout(() => {
        const holders = c?.holders() ?? [];
        const named = holders.map(describePid);
        killAndWait(holders);
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        failure = `\`${label}\` ended (${how})${test}, but ${named.length ? named.join(', ') : 'some process it started'} still held its stdout/stderr ${DRAIN_MS / 1000} s later (killed now): a process the runtime started outlived it`;
        giveUp();
      }, DRAIN_MS);
    });
    child.once('close', (code, signal) => {
      exit ??= { code, signal };
      settle();
    });
  });
  // A test that failed before awaiting this must not crash the test process when the
  // CLI is killed later: the rejection still reaches whoever awaits `result`.
  result.catch(() => {});
  return result;
}

/** A CLI started with stdin open, whose output can be awaited while it runs. */
export interface Session {
  child: ChildProcess;
  /** Resolves with the stdout seen so far once it matches `re` (fails after `ms`). */
  waitOutput(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  send(text: string): void;
  /** Close stdin and wait for the end. */
  finish(): Promise<Result>;
}

export function startSession(stage: string, args: string[], opts: RunOpts): Session {
  const child = startCli(stage, args, { ...opts, input: '' });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const done = collect(child, { timeoutMs: opts.timeoutMs });
  return {
    child,
    waitOutput: (re, ms = 20_000) => waitFor(() => re.exec(out) ?? undefined, ms, `output matching ${re}`, cliEnded),
    send: (text) => child.stdin!.write(text),
    finish: () => {
      child.stdin!.end();
      return done;
    },
  };
}

/**
 * The cgroup name prefix the CLI gets for state root `root`: mydocker-test-XXXXXX, so a
 * test sees only its own containers' cgroups even while other test runs go on.
 */
export function cgroupPrefix(root: string): string {
  return `mydocker-${path.basename(root).replace(/^mydocker-/, '')}`;
}

let currentRoot: string | undefined;

/** A fresh state root under the system temp dir; remove it with removeRoot(). */
export function makeRoot(): string {
  currentRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-test-'));
  running.roots.add(currentRoot); // removed on Ctrl-C too (contain.ts)
  cleanUpOnSignal();
  return currentRoot;
}

export function removeRoot(root: string): void {
  // What a failed test's runs left (containers' processes and cgroups, mounts under the
  // root) goes first, so the host is clean whatever the stage did.
  cleanUpRoot(root);
  fs.rmSync(root, { recursive: true, force: true });
  running.roots.delete(root);
}

/**
 * The per-test setup every chapter test file shares: a fresh state root and a snapshot
 * of the host before each test, the root removed after. `mydocker(args)` runs the
 * stage's CLI on that root; `leftovers()` lists container directories still there.
 */
export function perTest(
  suite: {
    before: { each(fn: (ctx: { __test__?: string }) => void): void };
    after: { each(fn: () => void | Promise<void>): void };
  },
  defaultTag: string,
  opts: {
    /** Runs after each test, before its state root goes (e.g. kill detached containers). */
    afterEach?: (root: string) => void | Promise<void>;
  } = {},
) {
  const t = {
    stage: stageDir(defaultTag),
    root: '',
    before: undefined as unknown as HostState,
    mydocker: (args: string[], input?: string) => runCli(t.stage, args, { root: t.root, input }),
    leftovers: (): string[] => {
      const dir = path.join(t.root, 'containers');
      return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    },
  };
  let hostName = '';
  suite.before.each((ctx) => {
    running.test = ctx.__test__; // uvu's name for the test about to run
    hostName = os.hostname();
    t.root = makeRoot();
    t.before = hostState();
  });
  suite.after.each(async () => {
    await opts.afterEach?.(t.root);
    endStarted();
    removeRoot(t.root);
    // A stage that set the container's hostname outside its UTS namespace renamed the host.
    if (os.hostname() !== hostName) fs.writeFileSync('/proc/sys/kernel/hostname', hostName);
    running.test = undefined;
  });
  return t;
}

/**
 * Kill whatever the test's CLIs started that is still running (a detached container
 * the test did not end, an orphan of a broken stage) and remove the harness's cgroups:
 * nothing outlives a test. perTest calls it after each test; a test file that makes
 * its own state roots calls it in its own after.each.
 */
export function endStarted(): void {
  for (const c of liveContainments()) c.end();
}

// ---- what the host shows ----

export interface HostState {
  /** /proc/self/mountinfo of the host (the test process), minus mount and parent ids. */
  mounts: string[];
  /** The cgroup directories of the current test's containers (see runtimeCgroups). */
  cgroups: string[];
}

/**
 * Cgroup directories whose name starts with `prefix` anywhere in the cgroup trees (two
 * levels deep is enough): by default those of the current test's state root.
 */
export function runtimeCgroups(prefix = currentRoot ? cgroupPrefix(currentRoot) + '-' : 'mydocker'): string[] {
  return cgroupsNamed(prefix);
}

export function hostState(): HostState {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').slice(2).join(' '))
    .sort();
  return { mounts, cgroups: runtimeCgroups() };
}

/** Assert the host shows the same mounts and runtime cgroups as in `before`. */
export function assertHostClean(before: HostState, what = 'after the container'): void {
  const after = hostState();
  const added = after.mounts.filter((m) => !before.mounts.includes(m));
  const removed = before.mounts.filter((m) => !after.mounts.includes(m));
  assert.equal(added, [], `host mount table gained mounts ${what}`);
  assert.equal(removed, [], `host mount table lost mounts ${what}`);
  const newCgroups = after.cgroups.filter((c) => !before.cgroups.includes(c));
  assert.equal(newCgroups, [], `cgroups left behind ${what}`);
}

/**
 * Like uvu's assert.throws(fn, regex), but a failure shows the message that *was*
 * thrown — so a NotImplemented from an exercise is what the learner reads.
 */
export function assertThrows(fn: () => unknown, expected: RegExp, what = 'the call'): void {
  try {
    fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    assert.match(message, expected, `${what} threw: ${message}`);
    return;
  }
  assert.unreachable(`${what} did not throw (expected ${expected})`);
}

/** The namespace inode links of the test process itself: { uts: 'uts:[4026531838]', ... }. */
export function hostNamespaces(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of ['uts', 'pid', 'mnt', 'ipc', 'net']) out[ns] = fs.readlinkSync(`/proc/self/ns/${ns}`);
  return out;
}

/**
 * `prefix` made unique to this test process and moment, e.g. a marker in a command's
 * arguments that findProcesses can tell from those of tests running side by side.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}`;
}

/**
 * Wait until a process matching findProcesses(needle, comm) exists; its host pid.
 * Fails at once (with the CLI's stderr) if the CLI started last has ended meanwhile.
 */
export async function waitForProcess(needle: string, comm?: string, ms = 20_000): Promise<number> {
  return waitFor(() => findProcesses(needle, comm)[0], ms, `a process "${comm ?? ''}" with "${needle}"`, cliEnded);
}

/**
 * Poll until `fn` returns a value (not undefined), or fail after `ms` — or as soon as
 * `stop` gives a reason why the value can no longer come.
 */
export async function waitFor<T>(
  fn: () => T | undefined,
  ms = 20_000,
  what = 'condition',
  stop?: () => string | undefined,
): Promise<T> {
  const end = Date.now() + ms * TIME_SCALE;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    const reason = stop?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Host pids of processes whose command line contains `needle` (and are not this
 * process); with `comm`, only those whose program name (/proc/PID/comm) is that.
 */
export function findProcesses(needle: string, comm?: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (!cmd.includes(needle)) continue;
      if (comm && fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== comm) continue;
      pids.push(Number(name));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}
