// Linux system calls for the runtime, bound to libc through koffi (an FFI, no native
// addon to compile). Machinery: every chapter uses these, none teaches the binding.
//
// Each wrapper calls libc, and on -1 throws a SysError that names the call, its
// arguments and the errno, e.g.  mount '/x' on '/y' (bind): ENOENT (No such file or directory)
// The man page for each call is given beside it; read it before using the call.

import koffi from 'koffi';
import os from 'node:os';

// The C declarations of the calls below. Each is bound (koffi parses the declaration and
// looks the symbol up in libc) the first time it is called, not when this module loads:
// a start's two Node processes each use only some of them (docs/performance.md).
const DECLARATIONS = {
  unshare: 'int unshare(int flags)',
  setns: 'int setns(int fd, int nstype)',
  mount: 'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
  umount2: 'int umount2(const char *target, int flags)',
  syscall: 'long syscall(long number, ...)',
  sethostname: 'int sethostname(const char *name, size_t len)',
  execve: 'int execve(const char *path, const char **argv, const char **envp)',
  fcntl: 'int fcntl(int fd, int cmd, ...)',
  close_range: 'int close_range(unsigned int first, unsigned int last, int flags)',
  prctl: 'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
  mknod: 'int mknod(const char *path, uint32_t mode, uint64_t dev)',
  flock: 'int flock(int fd, int operation)',
  pipe2: 'int pipe2(_Out_ int *pipefd, int flags)',
  strerror: 'const char *strerror(int errnum)',
  // terminals and passing an fd (chapter 5.9)
  ioctl: 'int ioctl(int fd, unsigned long request, ...)',
  setsid: 'int setsid(void)',
  dup2: 'int dup2(int oldfd, int newfd)',
  socketpair: 'int socketpair(int domain, int type, int protocol, _Out_ int *sv)',
  sendmsg: 'long sendmsg(int fd, void *msg, int flags)',
  recvmsg: 'long recvmsg(int fd, void *msg, int flags)',
} as const;

type Binding = ReturnType<ReturnType<typeof koffi.load>['func']>;
let libc: ReturnType<typeof koffi.load> | undefined;
const bound: Partial<Record<keyof typeof DECLARATIONS, Binding>> = {};

/** `c.name(...)` calls libc's `name`, bound on first use. */
const c = new Proxy(bound as Record<keyof typeof DECLARATIONS, Binding>, {
  get(_, name: keyof typeof DECLARATIONS) {
    return (bound[name] ??= (libc ??= koffi.load('libc.so.6')).func(DECLARATIONS[name]));
  },
});

// ---- constants (from <sched.h>, <sys/mount.h>, <fcntl.h>, <linux/prctl.h>) ----

/** Namespace flags for unshare(2) and setns(2). */
export const CLONE = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

/** Mount flags for mount(2). */
export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  NOATIME: 1024,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  STRICTATIME: 1 << 24,
} as const;

/** Flags for umount2(2). */
export const MNT_DETACH = 2;

const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
const CLOSE_RANGE_CLOEXEC = 1 << 2;
const O_CLOEXEC = 0o2000000;

export const PR_SET_PDEATHSIG = 1;
export const PR_SET_NO_NEW_PRIVS = 38;

/** Operations for flock(2). */
export const LOCK_EX = 2;
export const LOCK_UN = 8;

/** File type bits for mknod(2). */
export const S_IFCHR = 0o020000;

// pivot_root has no glibc wrapper; it is called by number (man 2 syscall).
const SYS_pivot_root: Record<string, number> = { x64: 155, arm64: 41, riscv64: 41 };

// ---- errors ----

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

/** A failed system call: which call, with what, and the kernel's answer. */
export class SysError extends Error {
  constructor(
    readonly call: string,
    readonly detail: string,
    readonly errno: number,
  ) {
    const name = errnoNames.get(errno) ?? `errno ${errno}`;
    super(`${call}${detail ? ' ' + detail : ''}: ${name} (${c.strerror(errno)})`);
    this.name = 'SysError';
  }
  /** The errno's symbolic name, e.g. "EINVAL". */
  get code(): string {
    return errnoNames.get(this.errno) ?? String(this.errno);
  }
}

function check(ret: number | bigint, call: string, detail: string): number {
  if (Number(ret) === -1) throw new SysError(call, detail, koffi.errno());
  return Number(ret);
}

const q = (s: string | null) => (s === null ? 'none' : `'${s}'`);

function nsNames(flags: number): string {
  const names = Object.entries(CLONE)
    .filter(([, bit]) => flags & bit)
    .map(([n]) => `CLONE_${n}`);
  return names.join('|') || String(flags);
}

function mountFlagNames(flags: number): string {
  return Object.entries(MS)
    .filter(([, bit]) => flags & bit)
    .map(([n]) => n.toLowerCase())
    .join(',');
}

// ---- wrappers ----

/** Move the calling thread into new namespaces (man 2 unshare). */
export function unshare(flags: number): void {
  check(c.unshare(flags), 'unshare', nsNames(flags));
}

/** Join the namespace that `fd` (an open /proc/PID/ns/* file) refers to (man 2 setns). */
export function setns(fd: number, nstype: number): void {
  check(c.setns(fd, nstype), 'setns', `fd ${fd} ${nsNames(nstype)}`);
}

/** Attach a filesystem, or change a mount's propagation (man 2 mount). */
export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: number,
  data: string | null = null,
): void {
  const what = [mountFlagNames(flags), fstype, data].filter(Boolean).join(' ');
  check(c.mount(source, target, fstype, flags, data), 'mount', `${q(source)} on ${q(target)} (${what})`);
}

/** Detach a mount (man 2 umount2). */
export function umount2(target: string, flags = 0): void {
  check(c.umount2(target, flags), 'umount2', q(target));
}

/** Make `newRoot` the root of this mount namespace and move the old root under `putOld` (man 2 pivot_root). */
export function pivotRoot(newRoot: string, putOld: string): void {
  const nr = SYS_pivot_root[process.arch];
  if (nr === undefined) throw new Error(`pivot_root: unsupported architecture ${process.arch}`);
  check(c.syscall(nr, 'const char *', newRoot, 'const char *', putOld), 'pivot_root', `${q(newRoot)} ${q(putOld)}`);
}

/** Set the hostname of this UTS namespace (man 2 sethostname). */
export function sethostname(name: string): void {
  check(c.sethostname(name, Buffer.byteLength(name)), 'sethostname', q(name));
}

/** Replace this process with `path` (man 2 execve). Only returns by throwing. */
export function execve(path: string, argv: string[], env: string[]): never {
  check(c.execve(path, [...argv, null], [...env, null]), 'execve', q(path));
  throw new Error('unreachable');
}

/** Make fd 0–2 plain: blocking and inherited across execve (man 2 fcntl). */
export function clearCloexecAndNonblock(fd: number): void {
  const fdFlags = check(c.fcntl(fd, F_GETFD), 'fcntl', `${fd} F_GETFD`);
  check(c.fcntl(fd, F_SETFD, 'int', fdFlags & ~FD_CLOEXEC), 'fcntl', `${fd} F_SETFD`);
  const flFlags = check(c.fcntl(fd, F_GETFL), 'fcntl', `${fd} F_GETFL`);
  check(c.fcntl(fd, F_SETFL, 'int', flFlags & ~O_NONBLOCK), 'fcntl', `${fd} F_SETFL`);
}

/** Mark every fd from `first` on close-on-exec, so none leaks into the next program (man 2 close_range). */
export function cloexecFrom(first: number): void {
  check(c.close_range(first, 0xffffffff, CLOSE_RANGE_CLOEXEC), 'close_range', `${first}.. CLOEXEC`);
}

/** Process controls (man 2 prctl): used for PR_SET_PDEATHSIG and PR_SET_NO_NEW_PRIVS. */
export function prctl(option: number, arg2 = 0): void {
  check(c.prctl(option, arg2, 0, 0, 0), 'prctl', `${option} ${arg2}`);
}

/** Create a device node (man 2 mknod); `dev` from makedev(major, minor). */
export function mknod(path: string, mode: number, major: number, minor: number): void {
  // glibc's makedev layout: low 8 bits of minor, 12 bits of major, then the high bits.
  const dev =
    BigInt(minor & 0xff) |
    (BigInt(major & 0xfff) << 8n) |
    (BigInt(minor & ~0xff) << 12n) |
    (BigInt(major & ~0xfff) << 32n);
  check(c.mknod(path, mode, dev), 'mknod', q(path));
}

/** Take or drop an advisory lock on an open file (man 2 flock); LOCK_EX blocks until it is ours. */
export function flock(fd: number, operation: number): void {
  check(c.flock(fd, operation), 'flock', `fd ${fd} ${operation}`);
}

/**
 * A pipe whose two ends are close-on-exec (man 2 pipe2): [read end, write end]. Node makes
 * socketpairs for a child's 'pipe' stdio; a real pipe is what a program expects on its
 * stdout (opening /dev/stdout works on a pipe, not on a socket).
 */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  check(c.pipe2(fds, O_CLOEXEC), 'pipe2', 'O_CLOEXEC');
  return [fds[0]!, fds[1]!];
}

// ---- terminals and passing an fd (man 7 pty, man 4 tty_ioctl, man 7 unix) ----

/** ioctl requests for terminals (<asm-generic/ioctls.h>). */
export const TIOC = {
  SCTTY: 0x540e,
  GWINSZ: 0x5413,
  SWINSZ: 0x5414,
  GPTN: 0x80045430,
  SPTLCK: 0x40045431,
} as const;

/** A terminal's size in characters (struct winsize without its pixel fields). */
export interface WindowSize {
  rows: number;
  cols: number;
}

/** The size of the terminal `fd` is (man 4 tty_ioctl, TIOCGWINSZ). */
export function getWindowSize(fd: number): WindowSize {
  const ws = Buffer.alloc(8);
  check(c.ioctl(fd, TIOC.GWINSZ, 'void *', ws), 'ioctl', `${fd} TIOCGWINSZ`);
  return { rows: ws.readUInt16LE(0), cols: ws.readUInt16LE(2) };
}

/** Set the size of terminal `fd`; the kernel sends SIGWINCH to its foreground process group (TIOCSWINSZ). */
export function setWindowSize(fd: number, size: WindowSize): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(size.rows, 0);
  ws.writeUInt16LE(size.cols, 2);
  check(c.ioctl(fd, TIOC.SWINSZ, 'void *', ws), 'ioctl', `${fd} TIOCSWINSZ ${size.rows}x${size.cols}`);
}

/** Unlock the slave of pty master `fd` and give its number: /dev/pts/N (man 3 unlockpt, man 3 ptsname). */
export function unlockPty(fd: number): number {
  const n = new Int32Array(1);
  check(c.ioctl(fd, TIOC.SPTLCK, 'int *', n), 'ioctl', `${fd} TIOCSPTLCK`);
  check(c.ioctl(fd, TIOC.GPTN, 'int *', n), 'ioctl', `${fd} TIOCGPTN`);
  return n[0]!;
}

/** Make terminal `fd` the controlling terminal of this session (TIOCSCTTY; the caller leads the session). */
export function setControllingTerminal(fd: number): void {
  check(c.ioctl(fd, TIOC.SCTTY, 'int', 0), 'ioctl', `${fd} TIOCSCTTY`);
}

/** Start a new session with this process as its leader, and no controlling terminal (man 2 setsid). */
export function setsid(): void {
  check(c.setsid(), 'setsid', '');
}

/** Make `newFd` a copy of `oldFd` (man 2 dup2); the copy is inherited across execve. */
export function dup2(oldFd: number, newFd: number): void {
  check(c.dup2(oldFd, newFd), 'dup2', `${oldFd} ${newFd}`);
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;

/** A connected pair of unix sockets, both close-on-exec (man 2 socketpair). */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  check(c.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 'socketpair', 'AF_UNIX SOCK_STREAM');
  return [fds[0]!, fds[1]!];
}

// struct msghdr and one cmsghdr carrying one int, laid out by hand for 64-bit Linux
// (man 3 cmsg): msghdr is name, namelen, iov, iovlen, control, controllen, flags (56
// bytes); a cmsghdr is len (size_t), level, type, then the data: CMSG_LEN(4) = 20,
// CMSG_SPACE(4) = 24.
function message(iov: Buffer, control: Buffer): Buffer {
  const iovec = Buffer.alloc(16);
  iovec.writeBigUInt64LE(BigInt(koffi.address(iov)), 0);
  iovec.writeBigUInt64LE(BigInt(iov.length), 8);
  const msg = Buffer.alloc(56);
  msg.writeBigUInt64LE(BigInt(koffi.address(iovec)), 16);
  msg.writeBigUInt64LE(1n, 24);
  msg.writeBigUInt64LE(BigInt(koffi.address(control)), 32);
  msg.writeBigUInt64LE(BigInt(control.length), 40);
  keep.push(iovec); // alive until the call returns
  return msg;
}
let keep: Buffer[] = [];

/** Send open fd `fd` over unix socket `socket` (SCM_RIGHTS, man 7 unix), with one byte of data. */
export function sendFd(socket: number, fd: number): void {
  const control = Buffer.alloc(24);
  control.writeBigUInt64LE(20n, 0);
  control.writeInt32LE(SOL_SOCKET, 8);
  control.writeInt32LE(SCM_RIGHTS, 12);
  control.writeInt32LE(fd, 16);
  const data = Buffer.from('F');
  try {
    check(c.sendmsg(socket, message(data, control), 0), 'sendmsg', `fd ${fd} over ${socket}`);
  } finally {
    keep = [];
  }
}

/** Receive an fd sent with sendFd (close-on-exec); undefined if the other end closed without sending one. */
export function receiveFd(socket: number): number | undefined {
  const control = Buffer.alloc(24);
  const data = Buffer.alloc(1);
  try {
    const n = check(c.recvmsg(socket, message(data, control), MSG_CMSG_CLOEXEC), 'recvmsg', `on ${socket}`);
    if (n === 0) return undefined;
  } finally {
    keep = [];
  }
  if (control.readInt32LE(8) !== SOL_SOCKET || control.readInt32LE(12) !== SCM_RIGHTS) return undefined;
  return control.readInt32LE(16);
}
