// Chapter 5.5 — the commands of this stage: `stop` ends a container, gently first.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../5.4/commands.ts';
import { STOP_FLAGS, stop } from './stop.ts';

export const commands: Record<string, Command> = {
  ...base,
  stop: {
    summary: 'Stop containers: SIGTERM, then SIGKILL after -t seconds: stop [-t N] CONTAINER...',
    flags: STOP_FLAGS,
    run: (args) => stop(args),
  },
};
