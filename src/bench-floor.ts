// The floor under DESIGN's start flow, for `npm run bench`. Machinery, not a chapter.
//
// It does only what every container start of this workshop must do, with nothing of a
// chapter's own work: the runtime (a Node process) loads the syscall bindings (koffi),
// unshares a PID namespace, starts itself again as init (a second Node process), and
// waits; init loads the bindings, unshares the other namespaces and execs /bin/true.
// No cgroup, no image, no overlay, no pivot_root, no /proc or /dev, no state, no
// cleanup. Whatever a real stage takes beyond this row is the stage's own work; this
// row against runc is the least any runtime built the way the chapters build it can
// reach on this machine (docs/performance.md).
//
//   node <bundle of this file>            the runtime: exits with init's exit code
//   node <bundle of this file> init       init (started by the runtime)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { CLONE, execve, setns, unshare } from './sys.ts';

if (process.argv[2] === 'init') {
  unshare(CLONE.NEWUTS | CLONE.NEWNS | CLONE.NEWIPC | CLONE.NEWNET);
  execve('/bin/true', ['true'], []);
} else {
  // The same environment the real runtime gives its init (src/entry.ts).
  delete process.env.NODE_EXTRA_CA_CERTS;
  const ownPidNs = fs.openSync('/proc/self/ns/pid', 'r');
  unshare(CLONE.NEWPID);
  const init = spawn(process.execPath, [process.argv[1]!, 'init'], { stdio: 'inherit' });
  setns(ownPidNs, CLONE.NEWPID);
  fs.closeSync(ownPidNs);
  init.once('exit', (code, signal) => {
    process.exitCode = signal ? 125 : (code ?? 125);
  });
}
