// Chapter 5.9 — the commands of this stage: `run -t` and `exec -t` with a terminal of the
// container's own, and an init that makes it.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { monitor } from '../5.1/detach.ts';
import { reportingFailure } from '../5.1/exec-status.ts';
import { commands as base } from '../5.8/commands.ts';
import { runCommandLine } from './cli.ts';
import { exec } from './exec.ts';
import { init } from './init.ts';
import { run, start } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: reportingFailure(init) },
  monitor: { ...base.monitor!, run: () => monitor(start) },
  exec: { ...base.exec!, run: exec },
};
