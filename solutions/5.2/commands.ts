// Chapter 5.2 — the commands of this stage: `run --name`, `ps`, `commit` that also takes
// a container's name and a stopped container, and `cleanup` that also frees the names of
// containers whose runtime was killed.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { commitKept } from './commit.ts';
import { monitor } from '../5.1/detach.ts';
import { commands as base } from '../5.1/commands.ts';
import { runCommandLine } from './cli.ts';
import { ps, PS_FLAGS } from './ps.ts';
import { run, start } from './run.ts';
import { releaseStaleNames } from './names.ts';
import { findContainer } from './state.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  // The monitor keeps the log: a detached container is kept until rm.
  monitor: { ...base.monitor!, run: () => monitor(start) },
  ps: {
    summary: 'List the containers: ID, NAME, PID, STATUS, COMMAND, CREATED',
    flags: PS_FLAGS,
    run: (args) => ps(args),
  },
  commit: {
    summary: "Save a container's files as an image, running or stopped: commit CONTAINER IMAGE",
    run: async (args) => {
      const [container, image, ...extra] = args;
      if (!container || !image || extra.length) throw new UsageError('usage: commit CONTAINER IMAGE');
      console.log(await commitKept(stateRoot(), findContainer(container), image));
      return 0;
    },
  },
  cleanup: {
    ...base.cleanup!,
    run: async (args) => {
      const code = await base.cleanup!.run(args);
      releaseStaleNames();
      return code;
    },
  },
};
