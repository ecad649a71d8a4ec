// Chapter 6.3 — the commands of this stage: `run --net NAME`, an init that waits for its
// network, `ps` with the containers' addresses, and `rm`, `network rm` and `cleanup` that
// also give back the addresses of containers whose runtime was killed.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { monitor } from '../5.1/detach.ts';
import { reportingFailure } from '../5.1/exec-status.ts';
import { removeNetwork } from '../6.2/network.ts';
import { networkCommand } from '../6.2/network-cli.ts';
import { commands as base } from '../6.2/commands.ts';
import { runCommandLine } from './cli.ts';
import { reclaimStale } from './endpoint.ts';
import { init } from './init.ts';
import { ps } from './ps.ts';
import { run, start } from './run.ts';

/** `cmd`, then the addresses of killed runtimes' containers back to their pools. */
const thenReclaim = (cmd: Command): Command => ({
  ...cmd,
  run: async (args) => {
    const code = await cmd.run(args);
    reclaimStale();
    return code;
  },
});

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: reportingFailure(init) },
  monitor: { ...base.monitor!, run: () => monitor(start) },
  ps: {
    ...base.ps!,
    summary: 'List the containers: ID, NAME, PID, STATUS, IP, IMAGE, COMMAND, CREATED',
    run: (args) => ps(args),
  },
  rm: thenReclaim(base.rm!),
  cleanup: thenReclaim(base.cleanup!),
  network: {
    ...base.network!,
    run: networkCommand((name) => {
      reclaimStale();
      removeNetwork(name);
    }),
  },
};
