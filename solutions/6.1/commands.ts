// Chapter 6.1 — the commands of this stage: those of 5.9. The address pool (ipam.ts) has
// no command of its own; `network create` (6.2) and `run --net` (6.3) use it.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../5.9/commands.ts';

export const commands: Record<string, Command> = { ...base };
