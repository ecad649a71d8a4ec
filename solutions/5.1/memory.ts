// Chapter 5.1 — keeping the monitor small once the container runs. A detached container's
// monitor is a whole Node process that lives as long as its container and mostly waits:
// its memory is paid for every container, all the time. V8 sizes its heap for speed: it
// lets the heap grow generously while there is work (the start; a container that writes
// fast, whose output the monitor copies into the log) and gives little of it back.
// Once the container runs, the monitor has nothing left to do fast, so it tells V8 to
// favour size over speed (--optimize-for-size: smaller steps of heap growth, memory
// given back sooner). Set then, not on the monitor's command line, so the start itself
// runs at full speed: as a command-line flag it made `run -d` ~10 % slower. A container
// that wrote 300 MB as fast as it could left its monitor with 12.6 MB of anonymous memory
// without it, 7.9 MB with it (docs/performance.md, "Memory").
//
// V8 reads this flag each time it decides how big the heap may grow, so setting it at
// run time takes effect (`node --v8-options` describes it; Node: v8.setFlagsFromString).

import { createRequire } from 'node:module';

/** From now on, V8 keeps this process's heap small rather than fast. */
export function preferSmallHeap(): void {
  // node:v8 is loaded here, by the monitor alone: a start of the stage loads only a few
  // of Node's modules (src/workshop/bundle.test.ts).
  const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  // The launcher must not write this process's V8 code cache: it would carry the changed
  // flags, and every later start would reject it (src/workshop/launch.cjs).
  (globalThis as Record<symbol, unknown>)[Symbol.for('mydocker.v8FlagsChanged')] = true;
  v8.setFlagsFromString('--optimize-for-size');
}
