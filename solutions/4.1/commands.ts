// Chapter 4.1 — the commands of this stage: `run` starts the container in the busybox
// image's root filesystem; `import` adds another rootfs tarball as an image.

import { commandFrom } from '../../src/runtime/command-line.ts';
import type { Command } from '../../src/runtime/entry.ts';
import { UsageError } from '../../src/runtime/errors.ts';
import { importImage } from '../../src/runtime/image.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { runCommandLine } from '../3.2/cli.ts';
import { commands as base } from '../3.3/commands.ts';
import { init } from './init.ts';
import { run } from './run.ts';

export const commands: Record<string, Command> = {
  ...base,
  run: commandFrom(runCommandLine, run),
  init: { ...base.init!, run: () => init() },
  import: {
    summary: 'Add a rootfs tarball as an image: import FILE.tar NAME (e.g. from docker export)',
    run: async (args) => {
      const [file, name, ...extra] = args;
      if (!file || !name || extra.length) throw new UsageError('usage: import FILE.tar NAME');
      console.log(await importImage(stateRoot(), file, name));
      return 0;
    },
  },
};
