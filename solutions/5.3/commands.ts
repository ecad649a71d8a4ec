// Chapter 5.3 — the commands of this stage: `logs` prints a detached container's output.

import type { Command } from '../../src/entry.ts';
import { commands as base } from '../5.2/commands.ts';
import { logs } from './logs.ts';

export const commands: Record<string, Command> = {
  ...base,
  logs: { summary: "Print a detached container's output: logs [-f] CONTAINER", run: (args) => logs(args) },
};
