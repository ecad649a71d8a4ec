// The floor under DESIGN's start flow, for `npm run bench`. Machinery, not a chapter.
//
// It does only what every container start of this workshop must do, with nothing of a
// chapter's own work, and with the chapters' own code for it: the runtime (a Node
// process, through runMain) unshares a PID namespace and starts itself again as init
// (3.1's spawnInit), and waits (3.1's waitForExit); init enters the other namespaces
// (3.1's enterNamespaces) and execs /bin/true. No cgroup, no image, no overlay, no
// pivot_root, no /proc or /dev, no state, no cleanup. Whatever a real stage takes beyond
// this row is the stage's own work; this row against runc is the least any runtime built
// the way the chapters build it can reach on this machine (docs/performance.md).
//
//   node <bundle of this file> run        the runtime: exits with init's exit code
//   node <bundle of this file> init       init (started by the runtime)

import { enterNamespaces } from '../../solutions/3.1/init.ts';
import { spawnInit } from '../../solutions/3.1/namespaces.ts';
import { waitForExit } from '../../solutions/3.1/wait.ts';
import { runMain } from '../runtime/entry.ts';
import { execve } from '../runtime/sys.ts';

await runMain(import.meta.url, {
  run: { summary: 'start init in new namespaces and wait for it', run: () => waitForExit(spawnInit([], 'inherit')) },
  init: {
    summary: 'enter the namespaces and exec /bin/true',
    hidden: true,
    run: () => {
      enterNamespaces();
      execve('/bin/true', ['true'], []);
    },
  },
});
