// The file Node starts for a stage: node_modules/.cache/mydocker/<stage>/main.cjs is a copy
// of this one (src/workshop/bundle.ts), beside bundle.cjs, the stage bundled as one
// CommonJS script. Machinery. Every container start runs Node twice on this file (the
// runtime, and the runtime again as the container's init), so what it saves, both save.
//
// Node would compile the bundle from source on every start. This launcher compiles it
// with a V8 code cache instead (bundle.cjs.v8), which V8 writes once, at the end of a run
// that had none: then it also holds the functions that run compiled on the way. A cache
// belongs to one bundle file: its first line names that file's inode, size and time and
// the Node version and architecture, and a bundle rebuilt since (renamed into place:
// a new inode) or a cache V8 rejects (V8 checks its own version, flags and the
// source's length) is not used; the bundle is then compiled from source and the cache
// written again. Nothing stale runs: the code is always bundle.cjs as it is now.
//
// No process writes a cache whose root is not the host's: the container's init, once it
// has pivoted, never does.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');

const file = path.join(__dirname, 'bundle.cjs');
const cacheFile = `${file}.v8`;
const fd = fs.openSync(file, 'r');
const st = fs.fstatSync(fd, { bigint: true });
const source = fs.readFileSync(fd, 'utf8');
fs.closeSync(fd);
const stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${process.version}:${process.arch}\n`;

let cachedData;
try {
  const buf = fs.readFileSync(cacheFile);
  const nl = buf.indexOf(10);
  if (nl > 0 && buf.toString('latin1', 0, nl + 1) === stamp) cachedData = buf.subarray(nl + 1);
} catch {
  // no cache yet
}

// The parameters are those of a CommonJS module, and import.meta.url (build-cache.mjs).
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname, __mydocker_url) {${source}\n})`,
  { filename: file, cachedData },
);

// A process that changes V8's flags while it runs (5.1's monitor, once its container runs)
// sets this symbol first: V8 stamps a cache with the flags in force when it is made, so
// that process's cache would be rejected by every later start.
const FLAGS_CHANGED = Symbol.for('mydocker.v8FlagsChanged');

if (!cachedData || script.cachedDataRejected) {
  const root = fs.statSync('/');
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      const now = fs.statSync('/');
      if (now.ino !== root.ino || now.dev !== root.dev || globalThis[FLAGS_CHANGED]) return;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
      fs.renameSync(tmp, cacheFile); // runs ending at the same moment never see half a cache
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  });
}

const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, __dirname, pathToFileURL(__filename).href);
