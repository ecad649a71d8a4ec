// Chapter 3.2 — the commands of this stage: `run` now takes resource limits.

import type { Command } from '../../src/runtime/entry.ts';
import { cleanupStale } from '../../src/runtime/leftovers.ts';
import { commands as base, runCommand } from '../3.1/commands.ts';
import { parseRunArgs, runHelp } from './cli.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: runCommand(
    'Create and run a container: run [-ti] [-m SIZE] [--cpu-shares N] [--cpuset-cpus CPUS] COMMAND [ARG...]',
    (args) => parseRunArgs(args),
    run,
    runHelp,
  ),
  cleanup: {
    summary: 'Remove what killed runtimes left behind (cgroups, write layers)',
    run: () => {
      const { removed, cleaned } = cleanupStale();
      const lines = [];
      if (removed.length) lines.push(`removed ${removed.length} stale container(s): ${removed.join(' ')}`);
      if (cleaned.length) lines.push(`cleaned up after ${cleaned.length} ended container(s), kept until rm: ${cleaned.join(' ')}`);
      console.log(lines.length ? lines.join('\n') : 'nothing to clean up');
      return 0;
    },
  },
};
