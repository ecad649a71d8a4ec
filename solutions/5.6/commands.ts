// Chapter 5.6 — the commands of this stage: `rm` removes containers.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../5.5/commands.ts';
import { RM_FLAGS, rm } from './rm.ts';

export const commands: Record<string, Command> = {
  ...base,
  rm: {
    summary: 'Remove containers (-f: kill a running one first): rm [-f] CONTAINER...',
    flags: RM_FLAGS,
    run: (args) => rm(args),
  },
};
