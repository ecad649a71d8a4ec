// Chapter 5.7 tests: `run IMAGE COMMAND` starts from that image — including one made by
// `commit` (chapter 4.4) — each container with its own write layer, containers of
// different images side by side; `images` lists them; and `run COMMAND` without an
// image still runs on busybox, as in every earlier chapter.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHostClean, perTest, runCli, uniqueName } from '../../src/testing/harness.ts';
import { killAllContainers, waitForDetachedProcess } from '../../src/testing/containers.ts';

const t = perTest(test, '5.7', { afterEach: killAllContainers });
const STAGE = t.stage;

const mydocker = t.mydocker;
/** The exit code, with the CLI's stderr as the message when it differs. */
const expectCode = (r: { code: number | null; stderr: string }, code: number) => assert.is(r.code, code, r.stderr);

/** Make image `name` by committing a container that wrote /etc/flavor = name. */
async function makeImage(name: string): Promise<void> {
  const m = uniqueName(`img-${name}`);
  const r = await mydocker([
    'run',
    '-d',
    '--name',
    `maker-${name}`,
    'sh',
    '-c',
    `echo ${name} > /etc/flavor; echo ready; sleep 1000; : ${m}`,
  ]);
  assert.is(r.code, 0, r.stderr);
  await waitForDetachedProcess(m, 'sh');
  for (let i = 0; i < 100 && !(await mydocker(['logs', `maker-${name}`])).stdout.includes('ready'); i++)
    await new Promise((res) => setTimeout(res, 100));
  const c = await mydocker(['commit', `maker-${name}`, name]);
  assert.is(c.code, 0, c.stderr);
  expectCode(await mydocker(['rm', '-f', `maker-${name}`]), 0);
}

test('a committed image runs: the new container sees the committed files', async () => {
  await makeImage('alpha');
  const r = await mydocker(['run', 'alpha', 'cat', '/etc/flavor']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'alpha\n');
  // busybox itself was never changed
  const b = await mydocker(['run', 'busybox', 'sh', '-c', 'test -e /etc/flavor && echo changed || echo clean']);
  assert.is(b.stdout, 'clean\n', b.stderr);
  assertHostClean(t.before);
});

test('two containers from different images run side by side, each with its own write layer; ps shows their images', async () => {
  await makeImage('alpha');
  await makeImage('beta');
  const m = uniqueName('side');
  for (const img of ['alpha', 'beta']) {
    const r = await mydocker([
      'run',
      '-d',
      '--name',
      `c-${img}`,
      img,
      'sh',
      '-c',
      `echo mine > /written; sleep 1000; : ${m}-${img}`,
    ]);
    assert.is(r.code, 0, r.stderr);
    await waitForDetachedProcess(`${m}-${img}`, 'sh');
  }
  for (const img of ['alpha', 'beta']) {
    const r = await mydocker(['exec', `c-${img}`, 'cat', '/etc/flavor', '/written']);
    assert.is(r.stdout, `${img}\nmine\n`, r.stderr);
  }
  for (const img of ['alpha', 'beta'])
    assert.not.ok(fs.existsSync(path.join(t.root, 'images', img, 'rootfs/written')), 'a write reached the image');
  const state = (name: string) => {
    for (const id of fs.readdirSync(path.join(t.root, 'containers'))) {
      const s = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'state.json'), 'utf8'));
      if (s.name === name) return s;
    }
  };
  assert.is(state('c-alpha').image, 'alpha');
  assert.is(state('c-beta').image, 'beta');
  // ps shows each container's image, busybox for one run without an image.
  expectCode(await mydocker(['run', '-d', '--name', 'c-plain', 'true']), 0);
  const [header, ...lines] = (await mydocker(['ps'])).stdout.trimEnd().split('\n');
  const cols = header!.split(/\s{2,}/);
  assert.ok(cols.includes('IMAGE'), `ps header: ${header}`);
  const imageOf = (name: string) =>
    lines.map((l) => l.split(/\s{2,}/)).find((c) => c[cols.indexOf('NAME')] === name)?.[cols.indexOf('IMAGE')];
  assert.equal(['c-alpha', 'c-beta', 'c-plain'].map(imageOf), ['alpha', 'beta', 'busybox']);
  expectCode(await mydocker(['rm', '-f', 'c-alpha', 'c-beta', 'c-plain']), 0);
  assertHostClean(t.before);
});

test('images lists every image with its size', async () => {
  expectCode(await mydocker(['run', 'true']), 0);
  await makeImage('gamma');
  const r = await mydocker(['images']);
  assert.is(r.code, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));
  assert.equal(rows[0], ['NAME', 'SIZE', 'CREATED']);
  assert.equal(
    rows.slice(1).map((x) => x[0]),
    ['busybox', 'gamma'],
  );
  for (const row of rows.slice(1)) assert.match(row[1]!, /^\d+(\.\d)?(B|kB|MB|GB)$/);
  // CREATED in the same (local) time as ps shows: gamma was made just before this container.
  const far = { root: t.root, env: { TZ: 'Etc/GMT-14' } }; // UTC+14: a wrong zone shows
  expectCode(await runCli(STAGE, ['run', '-d', '--name', 'now', 'sleep', '1000'], far), 0);
  const created = (out: string, name: string) =>
    out
      .split('\n')
      .map((l) => l.split(/\s{2,}/))
      .find((c) => c[0] === name || c[1] === name)!
      .at(-1)!;
  const image = created((await runCli(STAGE, ['images'], far)).stdout, 'gamma');
  const container = created((await runCli(STAGE, ['ps'], far)).stdout, 'now');
  const apart = Math.abs(Date.parse(image.replace(' ', 'T')) - Date.parse(container.replace(' ', 'T')));
  assert.ok(apart < 120_000, `images says ${image}, ps says ${container}`);
  expectCode(await mydocker(['rm', '-f', 'now']), 0);
});

test('without an image the command runs on busybox; an image needs a command', async () => {
  const plain = await mydocker(['run', 'sh', '-c', 'echo plain']);
  assert.is(plain.stdout, 'plain\n', plain.stderr);
  const named = await mydocker(['run', 'busybox', 'sh', '-c', 'echo named']);
  assert.is(named.stdout, 'named\n', named.stderr);
  const none = await mydocker(['run', 'busybox']);
  assert.is(none.code, 125, none.stderr);
  assert.match(none.stderr, /missing the command to run in image busybox/);
  // Not an image: a command, which busybox does not have.
  const unknown = await mydocker(['run', 'no-such-image-or-command']);
  assert.is(unknown.code, 127, unknown.stderr);
  assertHostClean(t.before);
});

test.run();
