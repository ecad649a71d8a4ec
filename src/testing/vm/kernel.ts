// The VM's kernel: a Debian kernel package, fetched with `apt-get download` and unpacked
// with `dpkg-deb -x` into node_modules/.cache/mydocker/vm/ — never installed on the host.
// Machinery for the cgroup v2 tests (src/testing/vm/run.ts).
//
// linux-image-amd64, not linux-image-cloud-amd64: the cloud flavour is built without 9p,
// and the VM reads this machine's files over 9p (see docs/architecture.md).
//
//   node --import tsx src/testing/vm/kernel.ts     fetch it now (what .ci/run does)

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../harness.ts';

export const VM_CACHE = path.join(REPO, 'node_modules/.cache/mydocker/vm');

/** The meta package whose dependency names the current kernel package. */
const META = 'linux-image-amd64';

export interface Kernel {
  /** e.g. 6.1.0-57-amd64 */
  release: string;
  vmlinuz: string;
  /** <tree>/lib/modules/<release> */
  modules: string;
}

/** A kernel already unpacked in the cache (the newest by name), if any. */
export function cachedKernel(cache = VM_CACHE): Kernel | undefined {
  let names: string[];
  try {
    names = fs
      .readdirSync(cache)
      .filter((n) => n.startsWith('linux-image-'))
      .sort();
  } catch {
    return undefined;
  }
  for (const name of names.reverse()) {
    const tree = path.join(cache, name);
    const boot = path.join(tree, 'boot');
    const vmlinuz = fs.existsSync(boot) ? fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
    if (!vmlinuz) continue;
    const release = vmlinuz.slice('vmlinuz-'.length);
    const modules = path.join(tree, 'lib/modules', release);
    if (fs.existsSync(modules)) return { release, vmlinuz: path.join(boot, vmlinuz), modules };
  }
  return undefined;
}

/** The versioned package linux-image-amd64 depends on, e.g. linux-image-6.1.0-57-amd64. */
function kernelPackage(): string {
  const out = execFileSync('apt-cache', ['depends', META], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const pkg = /Depends:\s*(linux-image-\S+)/.exec(out)?.[1];
  if (!pkg) throw new Error(`apt-cache depends ${META} names no kernel package (run apt-get update?)`);
  return pkg;
}

/**
 * The kernel, fetched and unpacked into the cache when it is not there yet. Throws with
 * a one-line reason when it cannot be (no apt, no package lists, no network).
 */
export function fetchKernel(cache = VM_CACHE): Kernel {
  const have = cachedKernel(cache);
  if (have) return have;
  const pkg = kernelPackage();
  const dir = path.join(cache, 'download');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // apt-get download writes into the current directory.
  execFileSync('apt-get', ['download', '-qq', pkg], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  const deb = fs.readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  // Unpack beside the final name and rename, so a half-unpacked tree is never used.
  const tmp = path.join(cache, `.${pkg}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  execFileSync('dpkg-deb', ['-x', path.join(dir, deb), tmp], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  fs.renameSync(tmp, path.join(cache, pkg));
  fs.rmSync(dir, { recursive: true, force: true });
  const kernel = cachedKernel(cache);
  if (!kernel) throw new Error(`${pkg} holds no boot/vmlinuz-* and lib/modules/*`);
  return kernel;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'src/testing/vm/kernel.ts')) {
  try {
    const k = fetchKernel();
    process.stdout.write(`kernel ${k.release}: ${path.relative(REPO, k.vmlinuz)}\n`);
  } catch (err) {
    process.stderr.write(`vm kernel: ${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}
