// Chapter 5.4 — the commands of this stage: `exec` runs a command in a running container.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../5.3/commands.ts';
import { EXEC_FLAGS, exec } from './exec.ts';

export const commands: Record<string, Command> = {
  ...base,
  exec: {
    summary: 'Run a command in a running container: exec [-i] [-t] CONTAINER COMMAND [ARG...]',
    flags: EXEC_FLAGS,
    run: (args) => exec(args),
  },
};
