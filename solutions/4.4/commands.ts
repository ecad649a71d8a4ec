// Chapter 4.4 — the commands of this stage: `commit` saves a running container as an image.
// At this stage a container is named by its id (or the start of it): `hostname` is not
// set yet, so find it with `ls /var/lib/mydocker/containers`; chapter 5.2 adds names and `ps`.

import type { Command } from '../../src/runtime/entry.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { commands as base } from '../4.3/commands.ts';
import { commitContainer, resolveContainerId } from './commit.ts';

/** `commit CONTAINER IMAGE`; `resolve` turns the argument into an id (5.2 adds names). */
export function commitCommand(resolve: (arg: string) => string): Command {
  return {
    summary: "Save a running container's files as an image: commit CONTAINER IMAGE",
    run: async (args) => {
      const [container, image, ...extra] = args;
      if (!container || !image || extra.length) throw new UsageError('usage: commit CONTAINER IMAGE');
      console.log(await commitContainer(stateRoot(), resolve(container), image));
      return 0;
    },
  };
}

export const commands: Record<string, Command> = {
  ...base,
  commit: commitCommand((arg) => resolveContainerId(arg)),
};
