// The VM's initramfs, written by us: a newc cpio archive (the format the kernel unpacks
// into its first root, Documentation/driver-api/early-userspace/buffer-format.rst) with
// a static busybox, our init script and the kernel modules the VM needs to reach this
// machine's files. Machinery for the cgroup v2 tests (src/testing/vm/run.ts).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * The modules init loads, the last ones last (their dependencies are added before them):
 * virtio over PCI, 9p over virtio (the host's files), overlay (the root and containers).
 */
export const WANTED_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/** Every .ko under a kernel's modules directory, by module name (- and _ are one). */
function moduleFiles(modulesDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ko')) found.set(e.name.slice(0, -3).replace(/-/g, '_'), p);
    }
  };
  visit(path.join(modulesDir, 'kernel'));
  return found;
}

/** A module's dependencies, from the "depends=" entry of its .modinfo section. */
function dependsOf(ko: string): string[] {
  const text = fs.readFileSync(ko).toString('latin1');
  const m = /\0depends=([^\0]*)\0/.exec(text);
  return m && m[1] ? m[1].split(',').map((d) => d.replace(/-/g, '_')) : [];
}

/** The .ko files for `wanted` and what they depend on, in an order insmod accepts. */
export function resolveModules(modulesDir: string, wanted = WANTED_MODULES): string[] {
  const files = moduleFiles(modulesDir);
  const order: string[] = [];
  const visit = (name: string, chain: string[]) => {
    if (order.includes(name)) return;
    if (chain.includes(name)) throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const ko = files.get(name);
    if (!ko) throw new Error(`module ${name} is not in ${modulesDir} (built in? then leave it out of WANTED_MODULES)`);
    for (const dep of dependsOf(ko)) visit(dep, [...chain, name]);
    order.push(name);
  };
  for (const w of wanted) visit(w, []);
  return order.map((n) => files.get(n)!);
}

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** One newc record: "070701", thirteen 8-digit hex fields, the name, the data. */
function record(e: Entry, ino: number): Buffer {
  const data = e.data ?? Buffer.alloc(0);
  const name = Buffer.from(e.name + '\0');
  const fields = [ino, e.mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length, 0];
  const header = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''));
  return Buffer.concat([
    header,
    name,
    Buffer.alloc(pad4(header.length + name.length)),
    data,
    Buffer.alloc(pad4(data.length)),
  ]);
}

export function cpio(entries: Entry[]): Buffer {
  const parts = entries.map((e, i) => record(e, i + 1));
  parts.push(record({ name: 'TRAILER!!!', mode: 0 }, 0));
  return Buffer.concat(parts);
}

const DIR = 0o040755;
const EXE = 0o100755;
const FILE = 0o100644;

/**
 * Write the initramfs to `out`: /init (init.sh), /bin/busybox, /modules/*.ko and
 * /modules/order (the load order).
 */
export function buildInitramfs(out: string, opts: { busybox: string; modulesDir: string }): void {
  const kos = resolveModules(opts.modulesDir);
  const entries: Entry[] = [
    { name: 'bin', mode: DIR },
    { name: 'bin/busybox', mode: EXE, data: fs.readFileSync(opts.busybox) },
    { name: 'init', mode: EXE, data: fs.readFileSync(path.join(HERE, 'init.sh')) },
    { name: 'modules', mode: DIR },
    ...kos.map((ko) => ({ name: `modules/${path.basename(ko)}`, mode: FILE, data: fs.readFileSync(ko) })),
    { name: 'modules/order', mode: FILE, data: Buffer.from(kos.map((ko) => path.basename(ko)).join('\n') + '\n') },
    ...['dev', 'proc', 'sys', 'lower', 'rw', 'root'].map((name) => ({ name, mode: DIR })),
  ];
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, cpio(entries));
  fs.renameSync(tmp, out);
}
