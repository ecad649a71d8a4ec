// Chapter 3.2 — the commands of this stage: `run` now takes resource limits.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { cleanupStale } from '../../src/runtime/leftovers.ts';
import { commands as base } from '../3.1/commands.ts';
import { runCommandLine } from './cli.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  cleanup: {
    summary: 'Remove what killed runtimes left behind (cgroups, write layers)',
    run: () => {
      const { removed, cleaned } = cleanupStale();
      const lines = [];
      if (removed.length) lines.push(`removed ${removed.length} stale container(s): ${removed.join(' ')}`);
      if (cleaned.length)
        lines.push(`cleaned up after ${cleaned.length} ended container(s) that are kept: ${cleaned.join(' ')}`);
      console.log(lines.length ? lines.join('\n') : 'nothing to clean up');
      return 0;
    },
  },
};
