// Unit tests of src/runtime/image.ts, the image machinery first used by chapter 4.1.
// They build real images in temporary state roots under /tmp (removed at the end), so
// they need a static busybox on the machine (Debian/Ubuntu: busybox-static); where it
// is missing they fail and say so. One test uses a mount namespace and needs root.
//
// Run: node --import tsx node_modules/uvu/bin.js src image.test.ts

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ImageError,
  NO_BUSYBOX,
  ensureImage,
  findStaticBusybox,
  imagesDir,
  importImage,
  isStaticElf,
  listImages,
} from './image.ts';

const IMAGE_TS = path.join(import.meta.dirname, 'image.ts');
const made: string[] = [];

function tempDir(prefix = 'mydocker-image-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function hostBusybox(): string {
  const found = findStaticBusybox();
  if (!found) throw new Error(`this test needs a static busybox on the host: ${NO_BUSYBOX}`);
  return found;
}

/** Every name under `dir`, recursively, relative to it (symlinks not followed). */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    out.push(path.relative(base, full));
    if (entry.isDirectory()) out.push(...walk(full, base));
  }
  return out;
}

/** Run `fn` with some environment variables set (undefined: unset), then restore them. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<ImageError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, ImageError, `expected an ImageError, got ${String(err)}`);
    assert.is((err as ImageError).exitCode, 125);
    assert.match((err as Error).message, pattern);
    return err as ImageError;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
  throw new Error('unreachable');
}

interface RawEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink';
  body?: string;
  linkpath?: string;
  mode?: number;
}

/** A tar archive written header by header, so it can hold entries no packer would write. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new tar.Header({
      path: e.path,
      type: e.type,
      linkpath: e.linkpath,
      mode: e.mode ?? (e.type === 'Directory' ? 0o755 : 0o644),
      size: e.type === 'File' ? body.length : 0,
      uid: 0,
      gid: 0,
      mtime: new Date(),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (e.type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// One busybox image shared by the tests that only look at it.
let shared: { root: string; rootfs: string } | undefined;
async function sharedImage(): Promise<{ root: string; rootfs: string }> {
  if (!shared) {
    hostBusybox();
    const root = tempDir();
    shared = { root, rootfs: await ensureImage(root) };
  }
  return shared;
}

test.after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('isStaticElf tells a static binary from a dynamic one and from non-binaries', () => {
  assert.ok(isStaticElf(hostBusybox()), `${hostBusybox()} should count as static`);
  assert.not.ok(isStaticElf(process.execPath), 'node is dynamically linked');
  assert.not.ok(isStaticElf('/bin/ls'), '/bin/ls is dynamically linked');
  assert.not.ok(isStaticElf('/etc/passwd'));
  assert.not.ok(isStaticElf('/'));
  assert.not.ok(isStaticElf('/no/such/file'));
  // A static binary without the execute bit cannot be used.
  const copy = path.join(tempDir(), 'busybox');
  fs.copyFileSync(hostBusybox(), copy);
  fs.chmodSync(copy, 0o644);
  assert.not.ok(isStaticElf(copy), 'not executable');
});

test('findStaticBusybox: MYDOCKER_BUSYBOX first, a dynamic one passed over', async () => {
  const copy = path.join(tempDir(), 'my-busybox');
  fs.copyFileSync(hostBusybox(), copy);
  fs.chmodSync(copy, 0o755);
  await withEnv({ MYDOCKER_BUSYBOX: copy }, () => assert.is(findStaticBusybox(), copy));
  await withEnv({ MYDOCKER_BUSYBOX: '/bin/ls', PATH: '' }, () => {
    const found = findStaticBusybox();
    assert.is.not(found, '/bin/ls');
    if (found !== null) assert.ok(isStaticElf(found), `${found} is not static`);
  });
  // A directory on PATH is searched when the fixed places have nothing (here they
  // might: so only check that a PATH dir holding a static busybox is accepted).
  await withEnv({ MYDOCKER_BUSYBOX: undefined, PATH: path.dirname(copy) }, () => {
    const found = findStaticBusybox();
    assert.ok(
      found === '/bin/busybox' || found === '/usr/bin/busybox' || found === path.join(path.dirname(copy), 'busybox'),
    );
  });
});

test('busybox image: the binary, a link for every applet, the usual dirs, tmp 1777', async () => {
  const { root, rootfs } = await sharedImage();
  assert.is(rootfs, path.join(root, 'images/busybox/rootfs'));
  assert.ok(path.isAbsolute(rootfs));

  const busybox = path.join(rootfs, 'bin/busybox');
  const st = fs.lstatSync(busybox);
  assert.ok(st.isFile(), 'bin/busybox is a regular file');
  assert.is(st.mode & 0o111, 0o111, 'bin/busybox is executable');
  fs.accessSync(busybox, fs.constants.X_OK);

  assert.ok(fs.lstatSync(path.join(rootfs, 'bin/sh')).isSymbolicLink(), 'bin/sh is a symlink');
  assert.is(
    fs.realpathSync(path.join(rootfs, 'bin/sh')),
    fs.realpathSync(busybox),
    'bin/sh resolves to the image busybox',
  );

  // Every applet has an entry where busybox says it belongs, resolving to the image's busybox.
  const names = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const full = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(names.length > 100, `only ${names.length} applets`);
  const present = new Set<string>();
  for (const rel of full) {
    const p = path.join(rootfs, rel);
    assert.ok(fs.existsSync(p), `applet ${rel} missing`);
    assert.is(fs.realpathSync(p), fs.realpathSync(busybox), `${rel} does not resolve to bin/busybox`);
    present.add(path.basename(rel));
  }
  for (const name of names) assert.ok(present.has(name), `applet ${name} has no entry`);

  for (const dir of ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'var']) {
    assert.ok(fs.lstatSync(path.join(rootfs, dir)).isDirectory(), `${dir}/ missing`);
  }
  assert.is(fs.statSync(path.join(rootfs, 'tmp')).mode & 0o7777, 0o1777, 'tmp is 1777');
  assert.match(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  assert.match(fs.readFileSync(path.join(rootfs, 'etc/group'), 'utf8'), /^root:x:0:$/m);
  assert.equal(listImages(root), ['busybox']);
  assert.is(imagesDir(root), path.join(root, 'images'));
});

test('the image runs on the host: bin/busybox echo, and bin/sh through its link', async () => {
  const { rootfs } = await sharedImage();
  assert.is(execFileSync(path.join(rootfs, 'bin/busybox'), ['echo', 'hi'], { encoding: 'utf8' }), 'hi\n');
  const out = execFileSync(path.join(rootfs, 'bin/sh'), ['-c', 'echo from sh | wc -c'], {
    encoding: 'utf8',
    env: { PATH: `${rootfs}/bin:${rootfs}/usr/bin` },
  });
  assert.is(out.trim(), '8');
});

test('a second call reuses the image; a removed rootfs is unpacked from the same tar', async () => {
  hostBusybox();
  const root = tempDir();
  const first = await ensureImage(root);
  const tarPath = path.join(root, 'images/busybox.tar');
  const before = fs.statSync(tarPath);
  await new Promise((r) => setTimeout(r, 20)); // so a rewrite would show in mtime
  assert.is(await ensureImage(root), first);
  assert.is(fs.statSync(tarPath).mtimeMs, before.mtimeMs, 'the tar was rebuilt');
  assert.is(fs.statSync(tarPath).ino, before.ino, 'the tar was replaced');

  fs.rmSync(first, { recursive: true });
  assert.is(await ensureImage(root), first);
  assert.is(fs.statSync(tarPath).mtimeMs, before.mtimeMs, 'the tar was rebuilt');
  assert.ok(fs.existsSync(path.join(first, 'bin/busybox')));
});

test('10 concurrent first uses: one path, a complete image, no temporary files left', async () => {
  hostBusybox();
  const root = tempDir();
  const paths = await Promise.all(Array.from({ length: 10 }, () => ensureImage(root)));
  assert.equal(new Set(paths).size, 1, `different paths: ${[...new Set(paths)].join(', ')}`);
  assert.equal(fs.readdirSync(path.join(root, 'images')).sort(), ['busybox', 'busybox.tar']);
  assert.equal(fs.readdirSync(path.join(root, 'images/busybox')), ['rootfs']);
  assert.ok(fs.lstatSync(path.join(paths[0]!, 'bin/sh')).isSymbolicLink());
});

test('8 runtimes (processes) racing on first use: same path, no temporary files left', async () => {
  hostBusybox();
  const root = tempDir();
  const script = path.join(tempDir(), 'race.mts');
  fs.writeFileSync(
    script,
    `import { ensureImage } from ${JSON.stringify(IMAGE_TS)};\nprocess.stdout.write(await ensureImage(process.argv[2]!));\n`,
  );
  const runOne = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, root], {
        cwd: path.dirname(import.meta.dirname), // where tsx resolves from
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
    });
  const paths = await Promise.all(Array.from({ length: 8 }, runOne));
  assert.equal([...new Set(paths)], [path.join(root, 'images/busybox/rootfs')]);
  assert.equal(fs.readdirSync(path.join(root, 'images')).sort(), ['busybox', 'busybox.tar']);
  assert.equal(fs.readdirSync(path.join(root, 'images/busybox')), ['rootfs']);
});

test('a leftover temporary copy of a killed runtime is removed by the next build', async () => {
  hostBusybox();
  const root = tempDir();
  // A pid that cannot be alive: above the kernel's pid_max limit (2^22).
  const stale = path.join(root, 'images/busybox', '.rootfs.tmp-99999999-abc123');
  fs.mkdirSync(path.join(stale, 'bin'), { recursive: true });
  await ensureImage(root);
  assert.not.ok(fs.existsSync(stale), 'stale temporary directory still there');
  assert.equal(fs.readdirSync(path.join(root, 'images/busybox')), ['rootfs']);
});

test('ensureImage refuses a MYDOCKER_BUSYBOX that is not static, and leaves nothing behind', async () => {
  const root = tempDir();
  await withEnv({ MYDOCKER_BUSYBOX: '/bin/ls' }, () =>
    rejects(ensureImage(root), /MYDOCKER_BUSYBOX=\/bin\/ls is not a statically linked/),
  );
  assert.equal(fs.existsSync(imagesDir(root)) ? fs.readdirSync(imagesDir(root)) : [], []);
});

test('no static busybox anywhere: the error says what to install (needs root: mount namespace)', () => {
  if (process.getuid?.() !== 0)
    throw new Error('this test needs root (it hides the host busybox in a mount namespace)');
  const dir = tempDir();
  const empty = path.join(dir, 'empty');
  fs.writeFileSync(empty, '');
  const script = path.join(dir, 'nobusybox.mts');
  fs.writeFileSync(
    script,
    `import { ensureImage } from ${JSON.stringify(IMAGE_TS)};\n` +
      `try { await ensureImage(process.argv[2]!); console.log('built'); }\n` +
      `catch (e) { console.log(JSON.stringify({ name: (e as Error).name, message: (e as Error).message, code: (e as { exitCode?: number }).exitCode })); }\n`,
  );
  // Hide every busybox the search would find: the fixed places, and PATH is only node's dir.
  const hide = ['/bin/busybox', '/usr/bin/busybox', path.join(path.dirname(process.execPath), 'busybox')]
    .map((f) => `[ -e ${f} ] && mount --bind ${empty} ${f}`)
    .join('; ');
  const r = spawnSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `${hide}; exec "$0" --import tsx "$1" "$2"`,
      process.execPath,
      script,
      path.join(dir, 'root'),
    ],
    {
      cwd: path.dirname(import.meta.dirname),
      encoding: 'utf8',
      env: {
        PATH: `${path.dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`,
        HOME: process.env.HOME ?? '/root',
      },
    },
  );
  assert.is(r.status, 0, `unshare failed: ${r.error ?? ''} ${r.stderr}`);
  // PATH above must include the dirs of mount/sh, which the hidden busybox files are not part of.
  const result = JSON.parse(r.stdout.trim()) as { name: string; message: string; code: number };
  assert.equal(result, { name: 'ImageError', message: NO_BUSYBOX, code: 125 });
  assert.match(NO_BUSYBOX, /apt-get install busybox-static/);
  assert.match(NO_BUSYBOX, /MYDOCKER_BUSYBOX=/);
  assert.not.ok(fs.existsSync(path.join(dir, 'root/images/busybox.tar')));
});

/** A small rootfs directory with the kinds of entries an exported image has. */
function tinyTree(): string {
  const src = path.join(tempDir(), 'tiny');
  fs.mkdirSync(path.join(src, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(src, 'bin'));
  fs.mkdirSync(path.join(src, 'scratch'));
  fs.chmodSync(path.join(src, 'scratch'), 0o1777);
  fs.writeFileSync(path.join(src, 'etc/motd'), 'tiny image\n');
  fs.writeFileSync(path.join(src, 'etc/secret'), 's3cret\n');
  fs.chmodSync(path.join(src, 'etc/secret'), 0o640);
  fs.writeFileSync(path.join(src, 'etc/shared'), 'group-writable\n');
  fs.chmodSync(path.join(src, 'etc/shared'), 0o664);
  fs.writeFileSync(path.join(src, 'bin/hello'), '#!/bin/sh\necho hello\n');
  fs.chmodSync(path.join(src, 'bin/hello'), 0o755);
  fs.symlinkSync('/bin/hello', path.join(src, 'bin/abs-link')); // absolute, as in most images
  fs.symlinkSync('../etc/motd', path.join(src, 'bin/rel-link'));
  return src;
}

test('importImage: a tar of a small tree becomes an image, modes and symlinks as archived', async () => {
  const root = tempDir();
  const src = tinyTree();
  const tarPath = path.join(path.dirname(src), 'tiny.tar');
  await tar.create({ file: tarPath, cwd: src }, fs.readdirSync(src));

  const rootfs = await importImage(root, tarPath, 'tiny');
  assert.is(rootfs, path.join(root, 'images/tiny/rootfs'));
  assert.ok(fs.existsSync(path.join(root, 'images/tiny.tar')));
  assert.equal(listImages(root), ['tiny']);
  assert.is(await ensureImage(root, 'tiny'), rootfs);

  assert.is(fs.readFileSync(path.join(rootfs, 'etc/motd'), 'utf8'), 'tiny image\n');
  const mode = (p: string) => fs.lstatSync(path.join(rootfs, p)).mode & 0o7777;
  assert.is(mode('etc/secret'), 0o640);
  assert.is(mode('etc/shared'), 0o664, 'group write kept (no umask)');
  assert.is(mode('bin/hello'), 0o755);
  assert.is(mode('scratch'), 0o1777, 'sticky, world-writable dir kept');
  assert.is(fs.readlinkSync(path.join(rootfs, 'bin/abs-link')), '/bin/hello', 'absolute link target kept as archived');
  assert.is(fs.readlinkSync(path.join(rootfs, 'bin/rel-link')), '../etc/motd');
  assert.equal(
    walk(path.join(root, 'images')).filter((p) => path.basename(p).includes('.tmp-')),
    [],
  );

  // The image is the copy: removing the source does not matter.
  fs.rmSync(tarPath);
  fs.rmSync(rootfs, { recursive: true });
  assert.is(await ensureImage(root, 'tiny'), rootfs);
  assert.ok(fs.existsSync(path.join(rootfs, 'etc/motd')));
});

test('importImage never replaces an image, and lists sort by name', async () => {
  const root = tempDir();
  const src = tinyTree();
  const tarPath = path.join(path.dirname(src), 'tiny.tar');
  await tar.create({ file: tarPath, cwd: src }, fs.readdirSync(src));
  await importImage(root, tarPath, 'zeta');
  await importImage(root, tarPath, 'alpha.1');
  const tarBefore = fs.statSync(path.join(root, 'images/zeta.tar'));
  await rejects(importImage(root, tarPath, 'zeta'), /image 'zeta' exists already/);
  assert.is(fs.statSync(path.join(root, 'images/zeta.tar')).ino, tarBefore.ino);
  assert.equal(listImages(root), ['alpha.1', 'zeta']);
  // Two imports of one new name at once: exactly one wins.
  const results = await Promise.allSettled([importImage(root, tarPath, 'twin'), importImage(root, tarPath, 'twin')]);
  assert.equal(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.equal(listImages(root), ['alpha.1', 'twin', 'zeta']);
});

test('importImage rejects bad names, missing files and non-tars, leaving nothing behind', async () => {
  const root = tempDir();
  const src = tinyTree();
  const tarPath = path.join(path.dirname(src), 'tiny.tar');
  await tar.create({ file: tarPath, cwd: src }, fs.readdirSync(src));

  for (const bad of ['', 'Tiny', '-x', '.x', '../x', 'a/b', 'a b', 'x'.repeat(65)]) {
    await rejects(importImage(root, tarPath, bad), /invalid image name/);
  }
  await rejects(ensureImage(root, '../etc'), /invalid image name/);
  await rejects(importImage(root, path.join(src, 'nope.tar'), 'tiny'), /nope\.tar: no such file/);
  await rejects(importImage(root, src, 'tiny'), /not a regular file/);
  const text = path.join(path.dirname(src), 'notes.tar');
  fs.writeFileSync(text, 'this is not a tar archive\n'.repeat(40));
  await rejects(importImage(root, text, 'tiny'), /notes\.tar: not a readable tar archive/);
  const empty = path.join(path.dirname(src), 'empty.tar');
  fs.writeFileSync(empty, '');
  await rejects(importImage(root, empty, 'tiny'), /empty\.tar: not a readable tar archive/);

  assert.equal(listImages(root), []);
  assert.equal(fs.existsSync(imagesDir(root)) ? walk(imagesDir(root)) : [], []);
});

test('ensureImage of an image never imported says how to import one', async () => {
  const root = tempDir();
  const src = tinyTree();
  const tarPath = path.join(path.dirname(src), 'tiny.tar');
  await tar.create({ file: tarPath, cwd: src }, fs.readdirSync(src));
  await importImage(root, tarPath, 'tiny');
  await rejects(
    ensureImage(root, 'ubuntu'),
    /image 'ubuntu' not found .*\(images: tiny\).*mydocker import <rootfs\.tar> ubuntu/,
  );
});

test('a hostile tar cannot write outside the rootfs', async () => {
  const root = tempDir();
  const outside = tempDir('mydocker-outside-');
  const evilTar = path.join(tempDir(), 'evil.tar');
  fs.writeFileSync(
    evilTar,
    rawTar([
      { path: 'ok', type: 'File', body: 'fine\n' },
      { path: '../escape', type: 'File', body: 'escaped\n' },
      { path: 'sub/../../escape2', type: 'File', body: 'escaped\n' },
      { path: '/abs-file', type: 'File', body: 'absolute, kept inside\n' },
      { path: '../esc-link', type: 'SymbolicLink', linkpath: outside },
      // The classic: a symlink to a host directory, then a file "through" it.
      { path: 'evil', type: 'SymbolicLink', linkpath: outside },
      { path: 'evil/pwned', type: 'File', body: 'escaped\n' },
      { path: 'hl', type: 'File', body: 'x' },
      { path: 'link-dir', type: 'SymbolicLink', linkpath: outside },
      { path: 'link-dir/inner', type: 'SymbolicLink', linkpath: '/etc' },
    ]),
  );
  const rootfs = await importImage(root, evilTar, 'evil');

  assert.equal(fs.readdirSync(outside), [], 'something was written outside');
  const everything = walk(root);
  for (const name of ['escape', 'escape2', 'esc-link', 'pwned', 'inner']) {
    const hits = everything.filter((p) => path.basename(p) === name && !p.startsWith('images/evil/rootfs/'));
    assert.equal(hits, [], `${name} landed outside the rootfs`);
  }
  assert.is(fs.readFileSync(path.join(rootfs, 'ok'), 'utf8'), 'fine\n');
  assert.is(fs.readFileSync(path.join(rootfs, 'abs-file'), 'utf8'), 'absolute, kept inside\n');
  // "evil/pwned" made evil a real directory, so the symlink "evil" was not created.
  assert.ok(fs.lstatSync(path.join(rootfs, 'evil')).isDirectory());
  assert.is(fs.readFileSync(path.join(rootfs, 'evil/pwned'), 'utf8'), 'escaped\n');
  // link-dir is a symlink (to the outside, harmless inside a container), and nothing was put through it.
  assert.is(fs.readlinkSync(path.join(rootfs, 'link-dir')), outside);
  assert.not.ok(fs.existsSync(path.join(outside, 'inner')));
});

test.run();
