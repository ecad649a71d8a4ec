// Chapter 3.2 — every container gets an id: it names the container's cgroup now, and
// its files on disk from chapter 4.2 on. 12 hex digits, like Docker's short ids.
//
// The random bytes come from the Web Crypto API that Node provides as a global, not
// from `import crypto from 'node:crypto'`: that import loads Node's whole crypto module
// (6–9 ms) at start, in the runtime and again in the container's init, which never
// makes an id. The global is loaded only when an id is made (docs/performance.md).

export function newContainerId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
}
