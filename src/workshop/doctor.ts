// `npm run doctor`: can this machine run the workshop? Machinery (no chapter teaches it).
//
// One line per requirement:  ok <what>  /  ✘ <what>: <what to do>  /  ! <what>: <hint>
// ✘ is something chapters 3.1–4.3 need; ! is something only a later chapter needs (or
// worth knowing). The exit code is 1 when any ✘ is shown, else 0. `--json` prints the
// same results as one JSON object, for an instructor checking a room of lab machines:
//   for h in lab01 lab02 …; do ssh root@$h 'cd mydocker-ts && npm run --silent doctor -- --json'; done
//
// Every check is a small function returning a CheckResult, with the files it reads as
// optional parameters so that the unit tests can point it at fake ones
// (src/workshop/doctor.test.ts). Nothing here changes the machine: the checks only read files
// under /proc, /sys, /lib/modules and /etc, look for programs on PATH, and list the
// FORWARD chain with `iptables -S` (a read).
//
// The doctor deliberately does not import src/runtime/sys.ts (which loads koffi at import time):
// it has to work, and say what is wrong, on a machine where koffi itself cannot load.
// It does use src/runtime/image.ts, so that it finds busybox exactly the way `run` does.

import chalk from 'chalk';
import { execFileSync } from 'node:child_process';
import { CHAPTERS } from './chapters.ts';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isMain } from './repo.ts';
import { findStaticBusybox, imagesDir, listImages } from '../runtime/image.ts';
import { WHY_ROOT } from '../runtime/errors.ts';
import { CGROUP_ROOT } from '../runtime/state.ts';

export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** stable key for scripts, e.g. "cgroup.memory" */
  id: string;
  status: Status;
  /** what was checked, and what was found */
  label: string;
  /** for warn/fail: exactly what to do */
  fix?: string;
  /** the finding in machine-readable form, e.g. "v1" for the cgroup version */
  value?: string;
  /** the first chapter that needs it */
  chapter?: string;
}

/** The state root the runtime uses (the same rule as src/runtime/state.ts). */
export function defaultStateRoot(): string {
  return path.resolve(process.env.MYDOCKER_ROOT || '/var/lib/mydocker');
}

// ---- small helpers ----

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export type Distro = 'debian' | 'fedora' | 'arch' | 'suse' | 'other';

/** The distribution family from /etc/os-release (ID, then ID_LIKE). */
export function distroFamily(osRelease = '/etc/os-release'): Distro {
  const text = readText(osRelease) ?? '';
  const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1]?.toLowerCase() ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  for (const id of ids) {
    if (['debian', 'ubuntu', 'raspbian', 'linuxmint', 'pop'].includes(id)) return 'debian';
    if (['fedora', 'rhel', 'centos', 'rocky', 'almalinux'].includes(id)) return 'fedora';
    if (['arch', 'manjaro', 'endeavouros'].includes(id)) return 'arch';
    if (id.startsWith('opensuse') || id === 'suse' || id === 'sles') return 'suse';
  }
  return 'other';
}

const INSTALL: Record<string, Record<Distro, string>> = {
  busybox: {
    debian: 'sudo apt-get install busybox-static',
    fedora: 'sudo dnf install busybox',
    arch: 'sudo pacman -S busybox',
    suse: 'sudo zypper install busybox-static',
    other: "install your distribution's static busybox package",
  },
  'util-linux': {
    debian: 'sudo apt-get install util-linux',
    fedora: 'sudo dnf install util-linux',
    arch: 'sudo pacman -S util-linux',
    suse: 'sudo zypper install util-linux',
    other: 'install util-linux',
  },
  ip: {
    debian: 'sudo apt-get install iproute2',
    fedora: 'sudo dnf install iproute',
    arch: 'sudo pacman -S iproute2',
    suse: 'sudo zypper install iproute2',
    other: 'install iproute2',
  },
  strace: {
    debian: 'sudo apt-get install strace',
    fedora: 'sudo dnf install strace',
    arch: 'sudo pacman -S strace',
    suse: 'sudo zypper install strace',
    other: 'install strace',
  },
  iptables: {
    debian: 'sudo apt-get install iptables',
    fedora: 'sudo dnf install iptables-nft',
    arch: 'sudo pacman -S iptables',
    suse: 'sudo zypper install iptables',
    other: 'install iptables',
  },
};

function installHint(what: keyof typeof INSTALL, distro = distroFamily()): string {
  return INSTALL[what][distro];
}

/** Directories searched for programs: PATH, plus the sbin dirs a user's PATH often lacks. */
function searchDirs(): string[] {
  const fromPath = (process.env.PATH ?? '').split(':').filter(Boolean);
  return [...new Set([...fromPath, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])];
}

/** The first executable `name` in `dirs`, or null. */
export function findProgram(name: string, dirs = searchDirs()): string | null {
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      if (fs.statSync(p).isFile()) {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      }
    } catch {
      /* not here */
    }
  }
  return null;
}

// ---- /proc/self/mountinfo (man 5 proc) ----

export interface MountInfo {
  mountPoint: string;
  /** shared:N, master:N, … */
  optional: string[];
  fsType: string;
  source: string;
  superOptions: string;
}

/** Paths in mountinfo escape space, tab, newline and backslash as \ooo octal. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Parse mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
 * (fields: id, parent, dev, root, mount point, options, optional fields…, "-", type, source, super options).
 */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 7 || dash < 6) continue;
    mounts.push({
      mountPoint: unescapeOctal(fields[4]),
      optional: fields.slice(6, dash),
      fsType: fields[dash + 1] ?? '',
      source: unescapeOctal(fields[dash + 2] ?? ''),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  return mounts;
}

/** The mount that holds `p` (an absolute path without symlinks): the longest mount point above it, the last one mounted on a tie. */
export function mountOf(p: string, mounts: MountInfo[]): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const under = p === mp || mp === '/' || p.startsWith(mp + '/');
    if (under && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

// ---- the checks ----

/**
 * Node 20.19 or newer: from 20.19 on, `require` loads an ES module (the logger loads
 * chalk that way, only when it first prints: src/runtime/log.ts), and uvu's `-r tsx` works.
 */
export function checkNode(version = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 20 || (major === 20 && minor >= 19)
    ? { id: 'node', status: 'ok', label: `Node.js ${version}`, value: version }
    : {
        id: 'node',
        status: 'fail',
        label: `Node.js ${version} is too old`,
        fix: 'install Node.js 20.19 or newer (docs/setup.md: NodeSource or your distribution), then rm -rf node_modules && npm ci',
        value: version,
        chapter: '3.1',
      };
}

export function checkPlatform(platform: string = process.platform): CheckResult {
  return platform === 'linux'
    ? { id: 'platform', status: 'ok', label: 'Linux', value: platform }
    : {
        id: 'platform',
        status: 'fail',
        label: `this is ${platform}, not Linux: containers are made of Linux kernel features`,
        fix: 'use a Linux VM (Multipass, UTM, Lima) or WSL2; see docs/setup.md',
        value: platform,
        chapter: '3.1',
      };
}

/** CAP_SYS_ADMIN is bit 21 of the capability sets (man 7 capabilities). */
const CAP_SYS_ADMIN = 21n;

export function checkRoot(uid = process.getuid?.() ?? -1, procStatus = '/proc/self/status'): CheckResult {
  if (uid !== 0) {
    return {
      id: 'root',
      status: 'fail',
      label: `not running as root (uid ${uid}): ${WHY_ROOT}`,
      fix: 'run `sudo -E npm run doctor` (and every workshop command the same way)',
      value: String(uid),
      chapter: '3.1',
    };
  }
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readText(procStatus) ?? '')?.[1];
  if (capEff !== undefined && (BigInt('0x' + capEff) & (1n << CAP_SYS_ADMIN)) === 0n) {
    return {
      id: 'root',
      status: 'fail',
      label: 'root, but without CAP_SYS_ADMIN (an unprivileged container?)',
      fix: 'run the workshop on a VM or a real Linux machine, or in a container started with --privileged',
      value: '0',
      chapter: '3.1',
    };
  }
  return { id: 'root', status: 'ok', label: 'running as root', value: '0' };
}

/**
 * The kernel version. 5.11 brought close_range(CLOSE_RANGE_CLOEXEC), which chapter 3.3
 * uses so that no fd but 0–2 reaches the container; below it (Debian 11's 5.10, Ubuntu
 * 20.04's 5.4) a container cannot start from chapter 3.3 on, so that is a ✘ too.
 */
export function checkKernel(release = os.release()): CheckResult {
  const m = /^(\d+)\.(\d+)/.exec(release);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  const base = { id: 'kernel', value: release };
  if (major > 5 || (major === 5 && minor >= 11)) return { ...base, status: 'ok', label: `kernel ${release}` };
  if (major >= 4) {
    return {
      ...base,
      status: 'fail',
      label: `kernel ${release} is older than 5.11: close_range(CLOSE_RANGE_CLOEXEC) fails, so containers cannot start from chapter 3.3 on (3.1 and 3.2 work)`,
      fix: 'use a 5.11+ kernel: Debian 12, Ubuntu 22.04, Fedora 34 or newer (Debian 11: the bullseye-backports kernel)',
      chapter: '3.3',
    };
  }
  return {
    ...base,
    status: 'fail',
    label: `kernel ${release} is too old (cgroups, namespaces and overlayfs need a 4.x kernel or newer; this workshop needs 5.11+)`,
    fix: 'use a current distribution (Debian 12, Ubuntu 22.04+, Fedora) or a VM running one',
    chapter: '3.1',
  };
}

function glibcVersion(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

/** koffi (the FFI the syscall bindings use) loads, and finds glibc. */
export function checkKoffi(): CheckResult {
  const require = createRequire(import.meta.url);
  try {
    const koffi = require('koffi') as { load(name: string): { func(decl: string): () => number } };
    const libc = koffi.load('libc.so.6');
    const getpid = libc.func('int getpid()');
    if (getpid() !== process.pid) throw new Error('getpid() through koffi returned a wrong pid');
    // The newest libc function src/runtime/sys.ts binds (glibc 2.34): binding fails on an older glibc.
    libc.func('int close_range(unsigned int first, unsigned int last, int flags)');
    return { id: 'koffi', status: 'ok', label: 'koffi loads and binds libc', value: 'ok' };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    let fix = 'rm -rf node_modules && npm ci (on this machine, as the user who runs it); see docs/troubleshooting.md';
    if (/Cannot find module 'koffi'/.test(msg)) fix = 'npm ci (the npm packages are not installed)';
    else if (/Cannot find the native Koffi module|Mismatched native/.test(msg))
      fix = `node_modules was installed for another OS/CPU or without optional packages: rm -rf node_modules && npm ci here (this is ${process.platform}-${process.arch})`;
    else if (/Cannot find function 'close_range'/.test(msg))
      fix = `glibc ${glibcVersion() ?? '?'} is older than 2.34, which added close_range(): use Debian 12, Ubuntu 22.04, Fedora 35 or newer`;
    else if (/libc\.so\.6|Failed to load shared library/.test(msg))
      fix =
        'the runtime binds glibc (libc.so.6); musl systems such as Alpine are not supported: use Debian, Ubuntu or Fedora';
    else if (/Node-API|does not support the Node/.test(msg))
      fix = 'install Node.js 20 or newer, then rm -rf node_modules && npm ci';
    return { id: 'koffi', status: 'fail', label: `koffi (FFI to libc) cannot load: ${msg}`, fix, chapter: '3.1' };
  }
}

/** Namespaces chapter 3.1 unshares, and those only later chapters use. */
export const REQUIRED_NAMESPACES = ['uts', 'pid', 'mnt', 'ipc', 'net'] as const;
export const LATER_NAMESPACES = ['user', 'cgroup'] as const;

const NS_CONFIG: Record<string, string> = {
  uts: 'UTS_NS',
  pid: 'PID_NS',
  ipc: 'IPC_NS',
  net: 'NET_NS',
  user: 'USER_NS',
  cgroup: 'CGROUPS',
};

export function checkNamespace(ns: string, required: boolean, nsDir = '/proc/self/ns'): CheckResult {
  const id = `ns.${ns}`;
  if (fs.existsSync(path.join(nsDir, ns))) return { id, status: 'ok', label: `${ns} namespace`, value: 'yes' };
  const config = NS_CONFIG[ns] ? ` (CONFIG_${NS_CONFIG[ns]})` : '';
  const fix = `the kernel is built without ${ns} namespaces${config}: use a distribution kernel`;
  return required
    ? { id, status: 'fail', label: `${ns} namespace missing (${nsDir}/${ns})`, fix, value: 'no', chapter: '3.1' }
    : { id, status: 'warn', label: `${ns} namespace missing (only later chapters use it)`, fix, value: 'no' };
}

/** Is an overlay module for this kernel installed (so mount -t overlay would load it)? */
function overlayModuleInstalled(modulesDir: string): boolean {
  const dep = readText(path.join(modulesDir, 'modules.dep'));
  if (dep !== null && /(^|\/)overlay\.ko(\.[a-z]+)?:/m.test(dep)) return true;
  return ['', '.xz', '.zst', '.gz'].some((ext) =>
    fs.existsSync(path.join(modulesDir, 'kernel/fs/overlayfs', `overlay.ko${ext}`)),
  );
}

export function checkOverlay(
  procFilesystems = '/proc/filesystems',
  modulesDir = `/lib/modules/${os.release()}`,
): CheckResult {
  const fss = (readText(procFilesystems) ?? '').split('\n').map((l) => l.trim().split(/\s+/).pop());
  if (fss.includes('overlay')) return { id: 'overlay', status: 'ok', label: 'overlayfs', value: 'yes' };
  if (overlayModuleInstalled(modulesDir)) {
    return {
      id: 'overlay',
      status: 'warn',
      label: 'overlayfs is a module that is not loaded yet (the kernel loads it on the first overlay mount)',
      fix: 'to load it now: sudo modprobe overlay',
      value: 'module',
    };
  }
  return {
    id: 'overlay',
    status: 'fail',
    label: `overlayfs is not in ${procFilesystems} and no overlay module was found in ${modulesDir}`,
    fix: "try `sudo modprobe overlay`; if that fails, install your distribution kernel's modules (Debian/Ubuntu: linux-image-$(uname -r); Ubuntu: linux-modules-extra-$(uname -r))",
    value: 'no',
    chapter: '4.2',
  };
}

export function cgroupVersion(root = CGROUP_ROOT): 'v1' | 'v2' | 'none' {
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) return 'v2';
  try {
    if (fs.readdirSync(root).some((h) => fs.existsSync(path.join(root, h, 'cgroup.procs')))) return 'v1';
  } catch {
    /* nothing mounted there */
  }
  return 'none';
}

export function checkCgroupVersion(root = CGROUP_ROOT): CheckResult {
  const v = cgroupVersion(root);
  if (v === 'v2') {
    // Every cgroup but the root of the whole tree has cgroup.type: this /sys/fs/cgroup
    // is then a subtree (a container's cgroup namespace, or a delegated cgroup).
    const where = fs.existsSync(path.join(root, 'cgroup.type'))
      ? 'a delegated subtree, not the root of the tree (inside a container?); the runtime moves its processes to init/ to enable controllers'
      : 'the root of the tree';
    return { id: 'cgroup.version', status: 'ok', label: `cgroup v2 (unified) at ${root}: ${where}`, value: v };
  }
  if (v === 'v1') {
    const hybrid = fs.existsSync(path.join(root, 'unified', 'cgroup.controllers'));
    const label = hybrid ? `cgroup v1 (hybrid: v1 controllers, cgroup2 at ${root}/unified)` : 'cgroup v1';
    return { id: 'cgroup.version', status: 'ok', label: `${label} at ${root}`, value: v };
  }
  return {
    id: 'cgroup.version',
    status: 'fail',
    label: `no cgroup filesystem at ${root}`,
    fix: `mount one: sudo mount -t cgroup2 none ${root} (WSL2: see docs/setup.md)`,
    value: v,
    chapter: '3.2',
  };
}

/** /proc/cgroups: "memory 4 1 1" = name, v1 hierarchy id (0: none or v2), cgroups, enabled. */
function procCgroupsRow(name: string, procCgroups: string): { hierarchy: number; enabled: boolean } | null {
  for (const line of (readText(procCgroups) ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === name && f.length >= 4) return { hierarchy: Number(f[1]), enabled: f[3] === '1' };
  }
  return null;
}

/** What each controller gives a container, and the file the runtime writes. */
const CONTROLLER_USE: Record<string, string> = {
  memory: 'run -m (memory.limit_in_bytes / memory.max)',
  cpu: 'run --cpu-shares (cpu.shares / cpu.weight)',
  cpuset: 'run --cpuset-cpus (cpuset.cpus)',
  pids: 'run --pids-limit (pids.max)',
};

/**
 * A cgroup controller is usable: on v1 its hierarchy is mounted at <root>/<name> (the
 * runtime makes its cgroup there); on v2 it is listed in <root>/cgroup.controllers.
 */
export function checkController(
  name: string,
  required: boolean,
  root = CGROUP_ROOT,
  procCgroups = '/proc/cgroups',
): CheckResult {
  const id = `cgroup.${name}`;
  const v = cgroupVersion(root);
  const what = `cgroup controller ${name}: ${CONTROLLER_USE[name] ?? name}`;
  let available: boolean;
  if (v === 'v2') {
    const list = (readText(path.join(root, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
    available = list.includes(name);
  } else {
    available = v === 'v1' && fs.existsSync(path.join(root, name, 'cgroup.procs'));
  }
  if (available) return { id, status: 'ok', label: what, value: 'yes' };

  const row = procCgroupsRow(name, procCgroups);
  let fix: string;
  if (!row) fix = `the kernel is built without the ${name} controller: use a distribution kernel`;
  else if (!row.enabled)
    fix = `it is disabled on the kernel command line (cgroup_disable=${name}): remove that; Raspberry Pi: add "cgroup_enable=${name} cgroup_memory=1" to cmdline.txt and reboot`;
  else if (v === 'v2')
    fix =
      row.hierarchy !== 0
        ? `it is bound to a cgroup v1 hierarchy, so v2 cannot use it: unmount that hierarchy, or boot with systemd.unified_cgroup_hierarchy=1`
        : fs.existsSync(path.join(root, 'cgroup.type'))
          ? `not delegated: ${root} is a subtree whose parent does not enable ${name}; on the host, write +${name} to the parent's cgroup.subtree_control (systemd: Delegate=yes on the unit; Docker: it delegates all controllers with --cgroupns=private)`
          : `not listed in ${root}/cgroup.controllers: see docs/troubleshooting.md`;
  else
    fix = `its v1 hierarchy is not mounted: sudo mkdir -p ${root}/${name} && sudo mount -t cgroup -o ${name} cgroup ${root}/${name}`;
  return required
    ? { id, status: 'fail', label: `${what}: not available`, fix, value: 'no', chapter: '3.2' }
    : { id, status: 'warn', label: `${what}: not available (the runtime runs without it)`, fix, value: 'no' };
}

// ---- busybox ----

/** Is the busybox image there: <root>/images/busybox.tar, or already unpacked? */
function hasBusyboxImage(stateRoot: string): boolean {
  return (
    listImages(stateRoot).includes('busybox') || fs.existsSync(path.join(imagesDir(stateRoot), 'busybox', 'rootfs'))
  );
}

export interface BusyboxOptions {
  stateRoot?: string;
  /** finds a static busybox (default: the image module's, which honours MYDOCKER_BUSYBOX) */
  find?: () => string | null;
  /** where to look for a busybox that is not usable, to say why (default: PATH and the usual places) */
  dirs?: string[];
  distro?: Distro;
}

/**
 * The busybox image (chapter 4.1 on): already built under the state root, or a static
 * busybox to build it from. A container's root has no libc or dynamic loader, so a
 * dynamically linked busybox (or one for another CPU) cannot run in it.
 */
export function checkBusybox(opts: BusyboxOptions = {}): CheckResult {
  const stateRoot = opts.stateRoot ?? defaultStateRoot();
  const found = (opts.find ?? findStaticBusybox)();
  const haveImage = hasBusyboxImage(stateRoot);
  if (found) {
    const label = haveImage
      ? `busybox image in ${imagesDir(stateRoot)} (static busybox: ${found})`
      : `static busybox at ${found} (the busybox image is built from it on the first run)`;
    return { id: 'busybox', status: 'ok', label, value: found };
  }
  if (haveImage)
    return { id: 'busybox', status: 'ok', label: `busybox image in ${imagesDir(stateRoot)}`, value: 'image' };
  const unusable = findProgram('busybox', opts.dirs);
  return {
    id: 'busybox',
    status: 'fail',
    label: unusable
      ? `busybox at ${unusable} is not a static executable for this machine (dynamically linked?), so it cannot run in a container`
      : 'no static busybox found (the container image is built from one)',
    fix:
      `${installHint('busybox', opts.distro)}, or set MYDOCKER_BUSYBOX=/path/to/a/static/busybox ` +
      '(e.g. an official static build from https://busybox.net/downloads/binaries/, made executable)',
    value: unusable ? 'not-static' : 'none',
    chapter: '4.1',
  };
}

// ---- mounts ----

/** Filesystems overlayfs refuses as an upper dir: stacked ones, and network/FUSE ones (their dentries revalidate). */
const STACKED_FS = ['overlay', 'aufs'];
const REMOTE_FS = ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'virtiofs', 'vboxsf', 'ceph', 'glusterfs'];

/** Filesystems known to work as an overlay upper dir (xfs only when made with ftype=1, the default since 2016). */
const KNOWN_GOOD_FS = ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'tmpfs', 'f2fs', 'bcachefs'];

/** Walk up from `p` to the nearest directory that exists, without symlinks. */
function nearestExisting(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur) && cur !== path.dirname(cur)) cur = path.dirname(cur);
  try {
    return fs.realpathSync(cur);
  } catch {
    return cur;
  }
}

/**
 * The state root will hold each container's write layer (overlay's upperdir and
 * workdir, chapter 4.2), so its filesystem must be one overlayfs accepts as an upper
 * layer. Overlay on overlay is the usual trap: running the workshop inside a Docker
 * container, whose / is itself an overlay.
 */
export function checkStateRootFs(stateRoot = defaultStateRoot(), mountinfo = '/proc/self/mountinfo'): CheckResult {
  const where = nearestExisting(stateRoot);
  const m = mountOf(where, parseMountInfo(readText(mountinfo) ?? ''));
  const id = 'stateroot.fs';
  if (!m)
    return {
      id,
      status: 'warn',
      label: `could not tell the filesystem of ${stateRoot} (no mount found in ${mountinfo})`,
      value: 'unknown',
    };
  const fsType = m.fsType;
  const desc = `state root ${stateRoot}${where === stateRoot ? '' : ` (not created yet; ${where})`} is on ${fsType} (${m.mountPoint})`;
  const fix =
    'set MYDOCKER_ROOT to a directory on ext4, xfs, btrfs or tmpfs, e.g. ' +
    '`sudo mkdir -p /mnt/mydocker && sudo mount -t tmpfs tmpfs /mnt/mydocker && export MYDOCKER_ROOT=/mnt/mydocker`, ' +
    'then use sudo -E so the runtime sees it';
  if (STACKED_FS.includes(fsType)) {
    return {
      id,
      status: 'fail',
      label: `${desc}: overlay cannot use an overlay as its upper dir (mount fails with EINVAL)`,
      fix,
      value: fsType,
      chapter: '4.2',
    };
  }
  if (REMOTE_FS.includes(fsType) || fsType === 'fuse' || fsType.startsWith('fuse.')) {
    return {
      id,
      status: 'fail',
      label: `${desc}: overlay does not accept a network or FUSE filesystem as its upper dir`,
      fix,
      value: fsType,
      chapter: '4.2',
    };
  }
  if (!KNOWN_GOOD_FS.includes(fsType)) {
    return {
      id,
      status: 'warn',
      label: `${desc}: not a filesystem known to work as overlay's upper dir`,
      fix: `if chapter 4.2's overlay mount fails, ${fix}`,
      value: fsType,
    };
  }
  return { id, status: 'ok', label: desc, value: fsType };
}

/**
 * Propagation of "/" (the optional fields of its mountinfo line). Informational: the
 * runtime makes every mount private in the container's own namespace before it mounts
 * anything, so a shared "/" (systemd's default) is fine.
 */
export function checkRootPropagation(mountinfo = '/proc/self/mountinfo'): CheckResult {
  const mounts = parseMountInfo(readText(mountinfo) ?? '').filter((m) => m.mountPoint === '/');
  const root = mounts[mounts.length - 1];
  const id = 'mount.root';
  if (!root) return { id, status: 'warn', label: `no "/" in ${mountinfo}`, value: 'unknown' };
  const shared = root.optional.find((o) => o.startsWith('shared:'));
  const slave = root.optional.find((o) => o.startsWith('master:'));
  if (shared) {
    return {
      id,
      status: 'ok',
      label: `/ is a shared mount (${shared}): fine, each container makes it private in its own mount namespace first`,
      value: 'shared',
    };
  }
  if (slave) return { id, status: 'ok', label: `/ is a slave mount (${slave})`, value: 'slave' };
  return { id, status: 'ok', label: '/ is a private mount', value: 'private' };
}

// ---- tools for later chapters (and for the tests) ----

const TOOLS: { name: string; pkg: keyof typeof INSTALL; chapter: string; why: string }[] = [
  { name: 'strace', pkg: 'strace', chapter: '3.3', why: "a test watches the runtime's system calls" },
  { name: 'nsenter', pkg: 'util-linux', chapter: '5.4', why: 'exec' },
  { name: 'setpriv', pkg: 'util-linux', chapter: '5.4', why: 'exec gives the command no_new_privs, as init does' },
  { name: 'unshare', pkg: 'util-linux', chapter: '5.4', why: "the tests' own namespaces" },
  {
    name: 'setsid',
    pkg: 'util-linux',
    chapter: '5.9',
    why: "exec -t makes the terminal the command's own (setsid --ctty)",
  },
  { name: 'ip', pkg: 'ip', chapter: '6', why: 'networks' },
  { name: 'iptables', pkg: 'iptables', chapter: '6', why: 'networks' },
];

export function checkTool(name: string, dirs?: string[], distro?: Distro): CheckResult {
  const t = TOOLS.find((x) => x.name === name);
  const chapter = t?.chapter;
  const id = `tool.${name}`;
  const where = findProgram(name, dirs);
  const forWhat = t ? ` (chapter ${t.chapter}: ${t.why})` : '';
  if (where) return { id, status: 'ok', label: `${name} at ${where}${forWhat}`, value: where, chapter };
  return {
    id,
    status: 'warn',
    label: `${name} not found${forWhat}`,
    fix: installHint(t?.pkg ?? 'util-linux', distro),
    value: 'none',
    chapter,
  };
}

// ---- networks (chapter 6) ----

/** net.ipv4.ip_forward: `network create` turns it on; say so before it happens. */
export function checkIpForward(file = '/proc/sys/net/ipv4/ip_forward'): CheckResult {
  const value = readText(file)?.trim();
  if (value === '1')
    return {
      id: 'net.ip_forward',
      status: 'ok',
      label: 'IPv4 forwarding is on (chapter 6: containers reach beyond the host)',
      value,
      chapter: '6',
    };
  return {
    id: 'net.ip_forward',
    status: 'warn',
    label: `IPv4 forwarding is ${value === undefined ? 'unknown' : 'off'} (chapter 6: containers reach beyond the host only with it)`,
    fix: '`network create` turns it on, as Docker does; or yourself: sudo sysctl -w net.ipv4.ip_forward=1',
    value: value ?? 'unknown',
    chapter: '6',
  };
}

/**
 * The FORWARD chain's policy, read with `iptables -S FORWARD` (which changes nothing): it
 * also shows that iptables works at all here (an nft backend on a kernel without
 * nf_tables fails, and then the legacy one must be chosen). A DROP policy is fine: each
 * network accepts its own traffic in its chain, jumped to from the top of FORWARD.
 */
export function checkForwardPolicy(
  list: () => string = () =>
    execFileSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
): CheckResult {
  const id = 'net.forward';
  let out: string;
  try {
    out = list();
  } catch (err) {
    const why = String((err as { stderr?: string }).stderr || (err as Error).message)
      .trim()
      .split('\n')[0];
    return {
      id,
      status: 'warn',
      label: `iptables -S FORWARD failed (chapter 6: networks): ${why}`,
      fix: /Permission denied|must be root/.test(why)
        ? 'run the doctor as root to check iptables'
        : 'if the nf_tables backend cannot work on this kernel, choose the legacy one: sudo update-alternatives --set iptables /usr/sbin/iptables-legacy',
      value: 'error',
      chapter: '6',
    };
  }
  const policy = /^-P FORWARD (\S+)/m.exec(out)?.[1] ?? 'unknown';
  const note = policy === 'DROP' ? " (fine: each network's own chain, first in FORWARD, accepts its traffic)" : '';
  return { id, status: 'ok', label: `iptables works; FORWARD policy ${policy}${note}`, value: policy, chapter: '6' };
}

// ---- all of them ----

function safely(id: string, fn: () => CheckResult): CheckResult {
  try {
    return fn();
  } catch (err) {
    return {
      id,
      status: 'fail',
      label: `${id}: the check itself failed: ${(err as Error).message}`,
      fix: 'please report this with the output of npm run doctor',
    };
  }
}

/** Run every check, in the order they are printed. */
export function runChecks(opts: { stateRoot?: string } = {}): CheckResult[] {
  const stateRoot = opts.stateRoot ?? defaultStateRoot();
  const results: CheckResult[] = [safely('node', () => checkNode()), safely('platform', () => checkPlatform())];
  if (process.platform !== 'linux') return results; // nothing below exists elsewhere
  results.push(
    safely('root', () => checkRoot()),
    safely('kernel', () => checkKernel()),
    safely('koffi', () => checkKoffi()),
  );
  for (const ns of REQUIRED_NAMESPACES) results.push(safely(`ns.${ns}`, () => checkNamespace(ns, true)));
  for (const ns of LATER_NAMESPACES) results.push(safely(`ns.${ns}`, () => checkNamespace(ns, false)));
  results.push(
    safely('overlay', () => checkOverlay()),
    safely('cgroup.version', () => checkCgroupVersion()),
  );
  for (const [c, required] of [
    ['memory', true],
    ['cpu', true],
    ['cpuset', false],
    ['pids', false],
  ] as const) {
    results.push(safely(`cgroup.${c}`, () => checkController(c, required)));
  }
  results.push(
    safely('busybox', () => checkBusybox({ stateRoot })),
    safely('stateroot.fs', () => checkStateRootFs(stateRoot)),
    safely('mount.root', () => checkRootPropagation()),
  );
  for (const t of TOOLS) results.push(safely(`tool.${t.name}`, () => checkTool(t.name)));
  results.push(safely('net.ip_forward', () => checkIpForward()));
  if (findProgram('iptables')) results.push(safely('net.forward', () => checkForwardPolicy()));
  return results;
}

/** 1 if anything chapters 3.1–4.3 need is missing (a fail), else 0. */
export function exitCode(results: CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

export function formatLine(r: CheckResult): string {
  if (r.status === 'ok') return `${chalk.green('ok')} ${r.label}`;
  if (r.status === 'warn') return `${chalk.yellow('!')}  ${r.label}${r.fix ? chalk.yellow(`: ${r.fix}`) : ''}`;
  return `${chalk.red('✘')}  ${chalk.red(r.label)}${r.fix ? `: ${chalk.bold(r.fix)}` : ''}`;
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: npm run doctor [-- --json]\n' +
        '  checks root, kernel, namespaces, overlayfs, cgroups, busybox and the tools later chapters need.\n' +
        '  exit 1 if something chapters 3.1-4.3 need is missing.\n',
    );
    return 0;
  }
  const stateRoot = defaultStateRoot();
  const results = runChecks({ stateRoot });
  const code = exitCode(results);
  if (argv.includes('--json')) {
    const report = { ok: code === 0, host: os.hostname(), kernel: os.release(), stateRoot, checks: results };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return code;
  }
  for (const r of results) process.stdout.write(formatLine(r) + '\n');
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  process.stdout.write(
    fails
      ? chalk.red(
          `\n${fails} problem${fails > 1 ? 's' : ''} to fix before chapters 3.1–4.3 run here (docs/troubleshooting.md).\n`,
        )
      : warns
        ? chalk.green(`\nReady for chapters 3.1–4.3.`) +
          chalk.yellow(
            ` ${warns} note${warns > 1 ? 's' : ''} marked ! (for later chapters or for the tests, as each says).`,
          ) +
          '\n'
        : chalk.green(`\nReady for every chapter, 3.1–${CHAPTERS.at(-1)!.tag}.\n`),
  );
  return code;
}

if (isMain(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
