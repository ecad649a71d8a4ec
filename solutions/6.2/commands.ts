// Chapter 6.2 — the commands of this stage: those of 6.1, and `network`.

import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../6.1/commands.ts';
import { NETWORK_USAGE, networkCommand } from './network-cli.ts';

export const commands: Record<string, Command> = {
  ...base,
  network: { summary: 'Manage networks: network create|ls|rm', help: () => NETWORK_USAGE, run: networkCommand() },
};
