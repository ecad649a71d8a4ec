// Chapter 3.2 — every container gets an id: it names the container's cgroup now, and
// its files on disk from chapter 4.2 on. 12 hex digits, like Docker's short ids.
//
// The six random bytes are read from /dev/urandom (man 4 urandom), the kernel's random
// source, in one read: 0.3 ms. Node's `crypto` global would give them too, but its first
// use loads Node's Web Crypto code (2–3 ms, more on a busy machine), and `import crypto
// from 'node:crypto'` loads all of Node's crypto module (6–9 ms), in the runtime and
// again in the container's init (docs/performance.md).

import fs from 'node:fs';

export function newContainerId(): string {
  const bytes = Buffer.alloc(6);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    fs.readSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  return bytes.toString('hex');
}
