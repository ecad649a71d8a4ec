// Chapter 5.1 — everything `run` does for one container, as one function that both the
// foreground `run` and the detached container's monitor call: the image, the volumes'
// host directories, the container's directory (claimed by this process), the write
// layer, the cgroup, init, the wait, and the cleanup. It is 4.3's run with the id given
// by the caller (the CLI of a detached run prints it before the monitor starts) and
// hooks at the two moments later chapters need: started (pid known) and ended.
//
// base: ../4.3/run.ts

import fs from 'node:fs';
import path from 'node:path';
import { ensureImage } from '../../src/runtime/image.ts';
import { hostMountsUnder, keptFiles, withContainer } from '../../src/runtime/leftovers.ts';
import { log } from '../../src/runtime/log.ts';
import { stateRoot } from '../../src/runtime/state.ts';
import { createWorkspace, removeWorkspace, type Workspace } from '../4.2/workspace.ts';
import type { RunOptions } from '../4.3/cli.ts';
import type { ContainerConfig } from '../4.3/init.ts';
import { prepareHostPaths } from '../4.3/volumes.ts';
import { runContainer } from './container.ts';
import type { InitOutput } from './log-writer.ts';

export interface StartHooks {
  /** The container runs; `pid` is its init on the host. */
  started?(pid: number): void;
  /** The container has ended (code undefined: it never started); its files go next. */
  ended?(code: number | undefined): void;
  /** Where init's stdout and stderr go instead of the runtime's own (a detached container's log). */
  output?: InitOutput;
}

/** What a later chapter adds to a start: `C` is what it adds to init's configuration. */
export interface StartSpec<C extends object = object> extends StartHooks {
  /** The image to start from (chapter 5.7); busybox by default. */
  image?: string;
  /** More configuration for init (chapter 5.8's environment). */
  config?: C;
}

/**
 * 4.2's removeWorkspace, except for a container kept until `rm` whose keep rule names its
 * write layer (chapter 5.2): then only overlay's scratch directories go.
 */
export function removeWorkspaceUnlessKept(ws: Workspace): void {
  if (!keptFiles(ws.dir)?.includes(path.basename(ws.upper))) return removeWorkspace(ws);
  const mounted = hostMountsUnder(ws.dir);
  if (mounted.length) {
    log.warn(`not removing ${ws.dir}: still mounted on the host: ${mounted.join(', ')}`);
    return;
  }
  for (const d of [ws.work, ws.merged]) fs.rmSync(d, { recursive: true, force: true });
}

/** How a container is started once its workspace exists: 5.1's runContainer, or a later chapter's. */
export type RunContainer = typeof runContainer;

/** startContainer, starting the container with `run` (5.9 passes its own, with a terminal). */
export function startingWith(run: RunContainer) {
  return async function startContainer<C extends object>(
    id: string,
    opts: RunOptions,
    spec: StartSpec<C> = {},
  ): Promise<number> {
    const lower = await ensureImage(stateRoot(), spec.image ?? 'busybox');
    prepareHostPaths(opts.volumes);
    return withContainer(id, async () => {
      let code: number | undefined;
      const workspace = createWorkspace(id, lower);
      try {
        const config = {
          command: opts.command,
          hostname: id,
          workspace,
          volumes: opts.volumes,
          ...spec.config,
        } satisfies ContainerConfig;
        code = await run(id, opts, config, spec.started, spec.output);
        return code;
      } finally {
        spec.ended?.(code);
        removeWorkspaceUnlessKept(workspace);
      }
    });
  };
}

export const startContainer = startingWith(runContainer);
