// Unit tests of the image module: the busybox image is built correctly and once, even
// when many runs race on a new state root; imports are checked and cannot escape.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureImage, findStaticBusybox, importImage, isStaticElf, listImages } from './image.ts';

let root = '';
test.before.each(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-image-'));
});
test.after.each(() => fs.rmSync(root, { recursive: true, force: true }));

test('static busybox is found; a dynamic binary is not taken for one', () => {
  assert.ok(findStaticBusybox(), 'no static busybox on this machine (apt-get install busybox-static)');
  assert.not.ok(isStaticElf('/bin/ls'), '/bin/ls is dynamic');
  assert.not.ok(isStaticElf('/etc/passwd'));
  const saved = { ...process.env };
  try {
    process.env.PATH = '';
    process.env.MYDOCKER_BUSYBOX = '/bin/ls';
    const found = findStaticBusybox();
    assert.is.not(found, '/bin/ls');
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.MYDOCKER_BUSYBOX === undefined) delete process.env.MYDOCKER_BUSYBOX;
    else process.env.MYDOCKER_BUSYBOX = saved.MYDOCKER_BUSYBOX;
  }
});

test('the busybox image: every applet linked, the usual dirs, modes kept', async () => {
  const rootfs = await ensureImage(root);
  assert.is(rootfs, path.join(root, 'images/busybox/rootfs'));
  assert.is(fs.readlinkSync(path.join(rootfs, 'bin/sh')), '/bin/busybox');
  assert.ok(fs.statSync(path.join(rootfs, 'bin/busybox')).mode & 0o100, 'busybox is not executable');
  const applets = execFileSync(findStaticBusybox()!, ['--list-full'], { encoding: 'utf8' }).trim().split('\n');
  for (const a of applets) assert.ok(fs.lstatSync(path.join(rootfs, a)), `missing ${a}`);
  assert.is(fs.statSync(path.join(rootfs, 'tmp')).mode & 0o7777, 0o1777);
  assert.is(fs.statSync(path.join(rootfs, 'root')).mode & 0o777, 0o700);
  assert.is(execFileSync(path.join(rootfs, 'bin/busybox'), ['echo', 'hi'], { encoding: 'utf8' }), 'hi\n');
  assert.equal(listImages(root), ['busybox']);
});

test('built once: a second call keeps the tarball', async () => {
  await ensureImage(root);
  const tarFile = path.join(root, 'images/busybox.tar');
  const mtime = fs.statSync(tarFile).mtimeMs;
  await ensureImage(root);
  assert.is(fs.statSync(tarFile).mtimeMs, mtime);
});

test('10 concurrent first uses agree on one image and leave no temporary files', async () => {
  const paths = await Promise.all(Array.from({ length: 10 }, () => ensureImage(root)));
  assert.is(new Set(paths).size, 1);
  assert.equal(fs.readdirSync(path.join(root, 'images')).sort(), ['busybox', 'busybox.tar']);
  assert.equal(fs.readdirSync(path.join(root, 'images/busybox')), ['rootfs']);
});

test('import: a rootfs tarball becomes an image; absolute links are kept', async () => {
  const src = path.join(root, 'src');
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(src, 'bin/hello'), 'hi');
  fs.symlinkSync('/bin/hello', path.join(src, 'link'));
  const file = path.join(root, 'tiny.tar');
  await tar.create({ file, cwd: src }, ['bin', 'link']);
  const rootfs = await importImage(root, file, 'tiny');
  assert.is(fs.readFileSync(path.join(rootfs, 'bin/hello'), 'utf8'), 'hi');
  assert.is(fs.readlinkSync(path.join(rootfs, 'link')), '/bin/hello');
  assert.ok(listImages(root).includes('tiny'));
  const again = await importImage(root, file, 'tiny').then(() => 'accepted', (err: Error) => err.message);
  assert.match(again, /exists already/);
});

test('import: bad names, missing files and non-tars are refused', async () => {
  const file = path.join(root, 'not-a.tar');
  fs.writeFileSync(file, 'hello, I am not a tar archive at all'.repeat(40));
  for (const [args, msg] of [
    [[file, 'Bad Name'], /invalid image name/],
    [[path.join(root, 'missing.tar'), 'x'], /no such file/],
    [[file, 'x'], /not a (readable )?tar archive/],
  ] as const) {
    try {
      await importImage(root, args[0], args[1]);
      assert.unreachable(`accepted ${args.join(' ')}`);
    } catch (err) {
      assert.match((err as Error).message, msg);
    }
  }
  assert.equal(listImages(root), []);
});

test("import: an entry '../escape' does not land outside the rootfs", async () => {
  const file = path.join(root, 'evil.tar');
  // Write a tar whose second entry climbs out, by hand (the tar package would refuse to make it).
  const ok = new tar.Header({ path: 'fine.txt', mode: 0o644, size: 2, type: 'File', mtime: new Date() });
  const evil = new tar.Header({ path: '../escape.txt', mode: 0o644, size: 2, type: 'File', mtime: new Date() });
  const block = (h: tar.Header, body: string) => {
    const head = Buffer.alloc(512);
    h.encode(head, 0);
    const data = Buffer.alloc(512);
    data.write(body);
    return Buffer.concat([head, data]);
  };
  fs.writeFileSync(file, Buffer.concat([block(ok, 'ok'), block(evil, 'no'), Buffer.alloc(1024)]));
  const rootfs = await importImage(root, file, 'evil');
  assert.ok(fs.existsSync(path.join(rootfs, 'fine.txt')));
  assert.not.ok(fs.existsSync(path.join(rootfs, '../escape.txt')), 'the entry escaped the rootfs');
  assert.not.ok(fs.existsSync(path.join(root, 'images/evil/escape.txt')));
});

test.run();
