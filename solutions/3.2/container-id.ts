// Chapter 3.2 — every container gets an id: it names the container's cgroup now, and
// its files on disk from chapter 4.2 on. 12 hex digits, like Docker's short ids.

import crypto from 'node:crypto';

export function newContainerId(): string {
  return crypto.randomBytes(6).toString('hex');
}
