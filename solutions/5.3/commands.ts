// Chapter 5.3 — the commands of this stage: `logs` prints a detached container's output.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../5.2/commands.ts';
import { LOGS_FLAGS, logs } from './logs.ts';

export const commands: Record<string, Command> = {
  ...base,
  logs: {
    summary: "Print a detached container's output: logs [-f] [--stdout|--stderr] CONTAINER",
    flags: LOGS_FLAGS,
    run: (args) => logs(args),
  },
};
