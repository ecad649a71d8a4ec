// Chapter 5.9 tests: `run -t` and `exec -t` give the command a terminal of the
// container's own. Each test plays the user at a real terminal: it opens a pty of the
// host's, starts the CLI on it (the slave as its stdio and controlling terminal), types
// on the master and reads what the terminal shows (src/testing/pty.ts). The container's
// `tty` is /dev/pts/N of its own devpts, its exit code is the CLI's, job control works,
// a resize reaches the container, and the user's terminal is as it was afterwards.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest, runCli, uniqueName } from '../../src/testing/harness.ts';
import { killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';
import { startInTerminal, type Terminal } from '../../src/testing/pty.ts';

let open: Terminal[] = [];
const t = perTest(test, '5.9', {
  afterEach: async (root) => {
    for (const term of open) term.close();
    open = [];
    await killAllContainers(root);
  },
});
const STAGE = t.stage;

/** busybox sh's prompt (it asks the terminal where the cursor is after it: ESC [ 6 n). */
const PROMPT = /# (\x1b\[6n)?$/;
const mydocker = (args: string[], input?: string) => runCli(STAGE, args, { root: t.root, input });
/** The CLI on a terminal of its own, 24×80 unless said. */
const onTerminal = (args: string[], size = { rows: 24, cols: 80 }) => {
  const term = startInTerminal(STAGE, args, { root: t.root, size });
  open.push(term);
  return term;
};
// Line ends on the user's terminal are \r\r\n: the container's terminal turns \n into \r\n,
// and Node's raw mode (libuv's) leaves the user's terminal doing the same once more.

/** Type a command line and wait for the shell's next prompt after it. */
async function typeLine(term: Terminal, line: string, until = PROMPT): Promise<string> {
  const from = term.output().length;
  term.type(line + '\r');
  const out = await term.waitOutput(until, from + line.length);
  return out.slice(from);
}

test('run -ti sh: tty is /dev/pts/0 of its own devpts; exit 3 is the CLI’s 3; the terminal is given back', async () => {
  const term = onTerminal(['run', '-ti', 'sh']);
  const before = term.settings();
  await term.waitOutput(PROMPT);
  assert.match(await typeLine(term, 'tty'), /\/dev\/pts\/0\r+\n/);
  assert.match(await typeLine(term, 'readlink /dev/ptmx'), /pts\/ptmx\r+\n/);
  assert.match(await typeLine(term, 'grep " /dev/pts " /proc/mounts'), /devpts \/dev\/pts devpts .*ptmxmode=666/);
  // The user's terminal is raw while the container runs: the container's echoes, not the host's.
  assert.is.not(term.settings(), before, 'the runtime did not put the terminal in raw mode');
  term.type('exit 3\r');
  assert.is(await term.exit(), 3, term.output());
  assert.is(term.settings(), before, 'the terminal was not given back as it was');
  assertHostClean(t.before);
});

test('Ctrl-D ends the shell with 0; Ctrl-C goes to the container’s job, not to the runtime', async () => {
  const term = onTerminal(['run', '-ti', 'sh']);
  await term.waitOutput(PROMPT);
  const from = term.output().length;
  term.type('sleep 100\r');
  await new Promise((r) => setTimeout(r, 300));
  term.type('\x03'); // Ctrl-C: SIGINT for sleep, through the container's terminal
  await term.waitOutput(PROMPT, from + 10);
  assert.match(await typeLine(term, 'echo status=$?'), /status=130/);
  term.type('\x04'); // Ctrl-D: end of input for the shell
  assert.is(await term.exit(), 0, term.output());
  assertHostClean(t.before);
});

test('job control: sleep in the background, fg, Ctrl-Z stops it, kill -9 %1', async () => {
  const term = onTerminal(['run', '-ti', 'sh']);
  await term.waitOutput(PROMPT);
  const out = await typeLine(term, 'sleep 100 &');
  assert.not.match(out + term.output(), /can't access tty|job control turned off|Cannot set tty/);
  assert.match(await typeLine(term, 'jobs'), /\[1\]\+?\s+Running\s+sleep 100/);
  const from = term.output().length;
  term.type('fg\r');
  await term.waitOutput(/sleep 100\r+\n/, from);
  await new Promise((r) => setTimeout(r, 300));
  term.type('\x1a'); // Ctrl-Z: SIGTSTP for the foreground job
  await term.waitOutput(/Stopped[^\n]*sleep 100[^]*# (\x1b\[6n)?$/, from);
  assert.match(await typeLine(term, 'jobs'), /\[1\]\+?\s+Stopped\s+sleep 100/);
  await typeLine(term, 'kill -9 %1');
  await typeLine(term, 'wait');
  term.type('exit 0\r');
  assert.is(await term.exit(), 0, term.output());
  assertHostClean(t.before);
});

test('a resize of the user’s terminal reaches the container (stty size follows)', async () => {
  const term = onTerminal(['run', '-ti', 'sh'], { rows: 30, cols: 100 });
  await term.waitOutput(PROMPT);
  assert.match(await typeLine(term, 'stty size'), /\r+\n30 100\r+\n/);
  term.resize({ rows: 40, cols: 132 });
  await new Promise((r) => setTimeout(r, 300));
  assert.match(await typeLine(term, 'stty size'), /\r+\n40 132\r+\n/);
  term.type('exit\r');
  assert.is(await term.exit(), 0, term.output());
});

test('SIGTERM to the runtime reaches the container; the terminal is given back', async () => {
  const term = onTerminal(['run', '-ti', 'sh', '-c', 'trap "exit 7" TERM; echo READY; while :; do sleep 1; done']);
  const before = term.settings();
  await term.waitOutput(/READY/);
  process.kill(term.child.pid!, 'SIGTERM');
  assert.is(await term.exit(), 7, term.output());
  assert.is(term.settings(), before, 'the terminal was not given back as it was');
  assertHostClean(t.before);
});

test('exec -ti: a terminal in the container’s devpts too, with its exit code and resizes', async () => {
  const m = uniqueName('tty');
  const r = await mydocker(['run', '-d', '--name', 'box', 'sh', '-c', `sleep 1000; : ${m}`]);
  assert.is(r.code, 0, r.stderr);
  await waitForDetachedProcess(m, 'sh');
  const term = onTerminal(['exec', '-ti', 'box', 'sh'], { rows: 20, cols: 70 });
  const before = term.settings();
  await term.waitOutput(PROMPT);
  assert.match(await typeLine(term, 'tty'), /\/dev\/pts\/\d+\r+\n/);
  assert.match(await typeLine(term, 'stty size'), /\r+\n20 70\r+\n/);
  term.resize({ rows: 50, cols: 90 });
  await new Promise((r) => setTimeout(r, 300));
  assert.match(await typeLine(term, 'stty size'), /\r+\n50 90\r+\n/);
  term.type('exit 4\r');
  assert.is(await term.exit(), 4, term.output());
  assert.is(term.settings(), before, 'the terminal was not given back as it was');
  assert.is((await mydocker(['rm', '-f', 'box'])).code, 0);
  assertHostClean(t.before);
});

test('-t without a terminal: the output still comes through one, all of it; -i alone stays a pipe', async () => {
  const t1 = await mydocker(['run', '-t', 'sh', '-c', 'tty; echo done']);
  assert.is(t1.code, 0, t1.stderr);
  assert.is(t1.stdout, '/dev/pts/0\r\ndone\r\n'); // the terminal's own line ends (ONLCR)
  // Output written just before the end is all copied out before the CLI exits.
  const many = await mydocker(['run', '-t', 'sh', '-c', 'seq 1 50000']);
  assert.is(many.code, 0, many.stderr);
  const lines = many.stdout.split('\r\n');
  assert.is(lines.length, 50001, `${lines.length - 1} lines of 50000 came out; the last: ${lines.at(-2)}`);
  assert.is(lines.at(-2), '50000');
  const i = await mydocker(['run', '-i', 'sh', '-c', 'tty; cat'], 'through a pipe\n');
  assert.is(i.stdout, 'not a tty\nthrough a pipe\n', i.stderr);
  assertHostClean(t.before);
});

test('-ti with stdin not a terminal is refused, exit 125, nothing created (run and exec)', async () => {
  const r = await mydocker(['run', '-ti', 'sh'], '');
  assert.is(r.code, 125, r.stderr);
  assert.match(r.stderr, /the input device is not a TTY/);
  assert.equal(t.leftovers(), []);
  const e = await mydocker(['exec', '-ti', 'nosuchcontainer', 'sh'], '');
  assert.is(e.code, 125, e.stderr);
  assert.match(e.stderr, /the input device is not a TTY/);
  assertHostClean(t.before);
});

test.run();
