// Chapter 4.3 unit tests: parsing -v specs and resolving targets inside a root,
// imported from the stage under test.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertThrows, stageFile } from '../../src/testing/harness.ts';

const vol: typeof import('../../solutions/4.3/volumes.ts') = await import(stageFile('4.3', 'volumes.ts'));

test('parseVolume: host, container, mode', () => {
  assert.equal(vol.parseVolume('/root/volume:/test'), { host: '/root/volume', container: '/test', readonly: false });
  assert.equal(vol.parseVolume('/data:/mnt/data/:ro'), { host: '/data', container: '/mnt/data', readonly: true });
  assert.equal(vol.parseVolume('/x/../y:/a/./b:rw'), { host: '/y', container: '/a/b', readonly: false });
});

test('parseVolumes: duplicates after normalizing are refused', () => {
  assertThrows(() => vol.parseVolumes(['/a:/t', '/b:/t/']), /more than one -v/);
  assert.is(vol.parseVolumes(['/a:/t', '/b:/u']).length, 2);
});

test('resolveInRoot follows links inside the root only', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-resolve-'));
  try {
    fs.mkdirSync(path.join(root, 'etc'));
    fs.symlinkSync('/etc', path.join(root, 'abs'));
    fs.symlinkSync('../../../etc', path.join(root, 'rel'));
    fs.symlinkSync('loop2', path.join(root, 'loop1'));
    fs.symlinkSync('loop1', path.join(root, 'loop2'));
    assert.is(vol.resolveInRoot(root, '/abs/x'), path.join(root, 'etc/x'));
    assert.is(vol.resolveInRoot(root, '/rel/x'), path.join(root, 'etc/x'));
    assert.is(vol.resolveInRoot(root, '/../../x'), path.join(root, 'x'));
    assert.is(vol.resolveInRoot(root, '/new/dir'), path.join(root, 'new/dir'));
    assertThrows(() => vol.resolveInRoot(root, '/loop1/x'), /too many symbolic links/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test.run();
