// Chapter 5.1 — the commands of this stage: `run -d`, an init that tells its parent why
// it could not exec the command (exec-status.ts), and the hidden `monitor` that
// watches a detached container in its place.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { commands as base } from '../4.4/commands.ts';
import { runCommandLine } from './cli.ts';
import { monitor, removeLog } from './detach.ts';
import { reportingFailure } from './exec-status.ts';
import { run } from './run.ts';
import { startContainer } from './start.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: (args) => reportingFailure(() => base.init!.run(args))() },
  monitor: {
    summary: 'Watch a detached container: start it, wait for it, clean up (started by run -d)',
    hidden: true,
    run: () => monitor(startContainer, removeLog),
  },
};
