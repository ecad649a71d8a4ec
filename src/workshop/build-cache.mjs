// A bundle built by esbuild, rebuilt only when one of its sources changed. Machinery,
// in plain JavaScript so that the runner's launcher (runner.mjs) can use it before any
// TypeScript loader: `npm run chapter` then starts node once, without tsx.
//
// Every bundle ends with one comment line naming each file esbuild read to build it
// (its metafile inputs) with that file's size and modification time in nanoseconds.
// A call rebuilds unless every one of those files is still there with the same size
// and time, and the options are the same: an edit, a `git checkout`, a deleted file or
// a new esbuild version all rebuild. A source modified while (or just before) a build
// ran leaves no such line, so the next call rebuilds again: nothing stale is ever run.
// Bundle and line are written together, as one file renamed into place.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MARK = '//# mydocker-inputs=';
const require = createRequire(import.meta.url);

/** The line's content, or undefined when the file is missing or has none. */
function readInputs(out) {
  let text;
  try {
    text = fs.readFileSync(out, 'utf8');
  } catch {
    return undefined;
  }
  const at = text.lastIndexOf(`\n${MARK}`);
  if (at < 0) return undefined;
  try {
    return JSON.parse(text.slice(at + 1 + MARK.length));
  } catch {
    return undefined;
  }
}

/** [size, mtime in ns] of a file, or undefined if it is gone. */
function stamp(file) {
  try {
    const s = fs.statSync(file, { bigint: true });
    return [Number(s.size), String(s.mtimeNs)];
  } catch {
    return undefined;
  }
}

/** esbuild's options for a bundle Node runs: one ES module, npm packages left external. */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'silent',
  legalComments: 'none',
};

/**
 * The same as one CommonJS script, for the stage launcher (launch.cjs), which compiles it
 * with a V8 code cache: `import.meta.url` becomes a parameter the launcher passes (the
 * launcher's own URL, the file Node was started on), and `import('x')` becomes
 * `Promise.resolve().then(() => require('x'))`. A script compiled by `vm` has no working
 * `import()` on Node 20 once it comes from a code cache ("A dynamic import callback was not
 * specified"); `require` loads packages that are ES modules only (execa, chalk) as well,
 * since Node 20.19 (the engines floor).
 */
export const NODE_CJS_BUNDLE = {
  ...NODE_BUNDLE,
  format: 'cjs',
  define: { 'import.meta.url': '__mydocker_url' },
  supported: { 'dynamic-import': false },
};

/**
 * Changes made to a bundle's entry before bundling and to esbuild's output after, by
 * name (the name is part of the bundle's key).
 *
 * `stage-script`, for NODE_CJS_BUNDLE (what every start of a stage runs, in both of its
 * Node processes):
 * - entry: a stage's main.ts ends with `await runMain(…)`, and a CommonJS bundle cannot
 *   hold a top-level await; runMain never throws and sets the exit code itself, so the
 *   call without its `await` does the same.
 * - output: esbuild turns each `import fs from 'node:fs'` into `__toESM(require(…))`, a
 *   copy of every property of the module as a getter: 60 copies of fs, path and os at
 *   every start. Here the wrapper inherits from the module instead (the same values,
 *   read through the prototype). And a Node module imported by name only
 *   (`require("node:child_process")`) is loaded when a property is first read, not at
 *   the bundle's top: the container's init never spawns, and child_process (with net,
 *   which it loads) costs a start ~3 ms. A package the bundle loads at its top (koffi) is
 *   required by the path of the file Node would pick for it, found now: resolving a
 *   package's "exports" at run time loads Node's ES module resolver, ~1.4 ms of each
 *   process. That file is stamped like a source, so reinstalling the package rebuilds the
 *   bundle. koffi itself is loaded as its native module, by path (nativeModule, below).
 *   If esbuild writes its helper differently, the output stays as esbuild wrote it.
 */
export const REWRITES = {
  'stage-script': {
    entry: (text) => text.replace(/^await (runMain\()/m, '$1'),
    output: (code, resolve, native) => {
      const helper = /^var __toESM = \(mod, isNodeMode, target\) => \([\s\S]*?\n\)\);\n/m;
      if (!helper.test(code)) return code;
      return code
        .replace(
          helper,
          [
            'var __toESM = (mod, isNodeMode) =>',
            '  mod == null || (typeof mod !== "object" && typeof mod !== "function")',
            '    ? { default: mod }',
            '    : __create(mod, isNodeMode || !mod.__esModule ? { default: { value: mod, enumerable: true } } : {});',
            'var __lazyRequire = (id, mod) => new Proxy({}, { get: (_, key) => (mod ??= require(id))[key] });',
            'var __requireNative = (pkg, file, version) => {',
            '  try {',
            '    const mod = { exports: {} };',
            '    process.dlopen(mod, file);',
            '    if (mod.exports.version === version) return mod.exports;',
            '  } catch {}',
            '  return require(pkg);',
            '};',
            '',
          ].join('\n'),
        )
        .replace(/^var (\w+) = require\("(node:[\w/]+)"\);$/gm, 'var $1 = __lazyRequire("$2");')
        .replace(/^var (\w+) = __toESM\(require\("([^".][^"]*)"\), 1\);$/gm, (line, name, id) => {
          if (id.startsWith('node:')) return line;
          const file = resolve(id);
          const n = native(id, file);
          const args = n ? [file, n.file, n.version] : [file];
          return `var ${name} = __toESM(${n ? '__requireNative' : 'require'}(${args.map((a) => JSON.stringify(a)).join(', ')}), 1);`;
        });
    },
  },
};

/**
 * The native module that package `id` (its entry: `file`) exports as it is, found by
 * loading the package here as Node will at run time: `{ file, version }`, or undefined
 * for any other package. Only koffi is one: its entry (index.cjs, ~11 KB, plus a loader
 * package per platform) checks the Node-API version, reads Node's own ELF header to tell
 * glibc from musl, tries the folders its native module may be in, checks the module's
 * version and adds deprecated aliases (`cdecl`, `resolve`, …), then exports the module's
 * own functions: ~3 ms of each process, against ~1 ms for the module alone
 * (docs/performance.md). The bundle loads the module by its path and checks its version
 * (`__requireNative`); if the file is gone or another version, it loads the package as
 * usual. It loads it with `process.dlopen`, which is what `require` ends in for a
 * `.node` file, without the resolution before it (the path is already absolute and
 * real): 0.77 against 1.6–2.0 ms. The file is stamped like a source: reinstalling koffi
 * rebuilds the bundle.
 */
export function nativeModule(req, id, file) {
  if (id !== 'koffi') return undefined;
  const native = req(file).default;
  const found = Object.keys(req.cache).find((f) => f.endsWith('.node') && req.cache[f]?.exports === native);
  return found && typeof native?.version === 'string' ? { file: found, version: native.version } : undefined;
}

/** A failed build as one line: esbuild's message names file:line:column of each error. */
export function buildFailure(err) {
  return String(err?.message ?? err)
    .replace(/^Build failed with \d+ errors?:\s*/, '')
    .replace(/\n+/g, '; ');
}

/** Whether the bundle at `out` was built with `key` from files that are all unchanged. */
export function isFresh(out, key) {
  const recorded = readInputs(out);
  if (!recorded || recorded.key !== key || typeof recorded.inputs !== 'object') return false;
  for (const [file, want] of Object.entries(recorded.inputs)) {
    const now = stamp(file);
    if (!now || now[0] !== want[0] || now[1] !== want[1]) return false;
  }
  return true;
}

/**
 * Bundle `entry` into `out` with these esbuild options, unless the bundle there is fresh.
 * `root` is the folder esbuild resolves from (its absWorkingDir). `rewrite`, if given,
 * names a change made to the entry's own text before bundling (see REWRITES). Returns
 * `out`; throws esbuild's error when the sources do not compile.
 */
export function buildCached(entry, out, options, root, rewrite) {
  const esbuildPkg = path.join(root, 'node_modules/esbuild/package.json');
  // A rewrite is part of the key with its code: changing it rebuilds every bundle made with it.
  const rewriting = rewrite && {
    rewrite,
    code: `${REWRITES[rewrite].entry}\n${REWRITES[rewrite].output}\n${nativeModule}`,
  };
  const key = JSON.stringify(rewriting ? { entry, options, ...rewriting } : { entry, options });
  if (isFresh(out, key)) return out;
  const esbuild = require('esbuild'); // loaded only when a build is needed
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Build beside the target and rename: runs started at the same moment never see a
  // half-written file.
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  const started = BigInt(Date.now()) * 1_000_000n;
  try {
    const result = esbuild.buildSync({
      ...options,
      // A rewritten entry goes in as esbuild's stdin; it is stamped below like any input.
      ...(rewrite
        ? {
            stdin: {
              contents: REWRITES[rewrite].entry(fs.readFileSync(entry, 'utf8')),
              resolveDir: path.dirname(entry),
              sourcefile: entry,
              loader: 'ts',
            },
          }
        : { entryPoints: [entry] }),
      outfile: tmp,
      absWorkingDir: root,
      metafile: true,
      write: false,
    });
    let code = result.outputFiles.find((f) => f.path === path.resolve(root, tmp))?.text;
    if (code === undefined) throw new Error(`esbuild wrote no ${tmp}`);
    const resolved = []; // the files of packages the rewrite named by path
    if (rewrite) {
      const req = createRequire(out);
      const resolve = (id) => {
        const file = req.resolve(id);
        resolved.push(file);
        return file;
      };
      const native = (id, file) => {
        const found = nativeModule(req, id, file);
        if (found) resolved.push(found.file);
        return found;
      };
      code = REWRITES[rewrite].output(code, resolve, native);
    }
    const inputs = {};
    let settled = true;
    // esbuild reads tsconfig.json too (its compiler options change the output); it is not
    // among the metafile's inputs, so it is stamped as well.
    const tsconfig = path.join(root, 'tsconfig.json');
    const extra = fs.existsSync(tsconfig) ? [esbuildPkg, tsconfig] : [esbuildPkg];
    const read = Object.keys(result.metafile.inputs).filter((f) => f !== '<stdin>');
    for (const rel of [...read, ...(rewrite ? [entry] : []), ...resolved, ...extra]) {
      const file = path.resolve(root, rel);
      const s = stamp(file);
      // Modified within the last second before the build or during it: the build may
      // have read the old or a half-written version. Record nothing; rebuild next time.
      if (!s || BigInt(s[1]) >= started - 1_000_000_000n) settled = false;
      inputs[file] = s;
    }
    if (settled) code += `${code.endsWith('\n') ? '' : '\n'}${MARK}${JSON.stringify({ key, inputs })}\n`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return out;
}
