// Chapter 3.1 — the parent's side while the container runs: pass on the signals a user
// sends to `mydocker run`, and turn the way the container ended into an exit code.

import type { ChildProcess } from 'node:child_process';
import os from 'node:os';

/** Signals the runtime forwards to the container (like `docker run`'s sig-proxy). */
export const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Wait for the container's init to end and give Docker's exit code: the command's own
 * code, or 128+N when signal N killed it (137 for SIGKILL).
 */
export function waitForExit(child: ChildProcess): Promise<number> {
  // exercise: forward signals to the container and map its end to an exit code
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject); // could not be started at all
    child.once('exit', (code, signal) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      resolve(signal ? 128 + os.constants.signals[signal] : (code ?? 0));
    });
  });
  // end exercise
}
