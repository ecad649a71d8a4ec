// Chapter 6.4 — the commands of this stage: `run -p HOST:CONTAINER[/PROTO]`, and `rm`,
// `network rm` and `cleanup` that also remove the port rules of killed runtimes'
// containers.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { monitor } from '../5.1/detach.ts';
import { removeNetwork } from '../6.2/network.ts';
import { networkCommand } from '../6.2/network-cli.ts';
import { commands as base62 } from '../6.2/commands.ts';
import { commands as base } from '../6.3/commands.ts';
import { reclaimStale } from '../6.3/endpoint.ts';
import { runCommandLine } from './cli.ts';
import { reclaimPorts } from './ports.ts';
import { run, start } from './run.ts';

/** Everything killed runtimes held on the networks: addresses, port rules and claims. */
function reclaimAll(): void {
  reclaimPorts();
  reclaimStale();
}

const thenReclaim = (cmd: Command): Command => ({
  ...cmd,
  run: async (args) => {
    const code = await cmd.run(args);
    reclaimAll();
    return code;
  },
});

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  monitor: { ...base.monitor!, run: () => monitor(start) },
  rm: thenReclaim(base62.rm!),
  cleanup: thenReclaim(base62.cleanup!),
  network: {
    ...base.network!,
    run: networkCommand((name) => {
      reclaimAll();
      removeNetwork(name);
    }),
  },
};
