// Chapter 5.2 — `run` records the container's state. Compared with 5.1: claim a name,
// write state.json ("created") before anything starts, "running" with init's pid once
// it runs, "exited" with its code when it ends.
//
// A foreground container is removed when it ends (as `docker run --rm`; the earlier
// chapters promise that nothing of it stays on disk). A detached one is kept until
// `rm`: its monitor removes the cgroup and the write layer but leaves state.json and
// the log (state.ts registers that with src/runtime/leftovers.ts), so `ps` shows it as exited.
//
// Later chapters start containers from other images (5.7) with an environment (5.8):
// `lifecycle(launchOf)` takes a function that tells, from the run options, what else a
// container needs, so they do not copy this file.

import fs from 'node:fs';
import { cleanupStale, processIdentity } from '../../src/runtime/leftovers.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { newContainerId } from '../3.2/container-id.ts';
import { runDetached } from '../5.1/detach.ts';
import { startContainer, type StartHooks, type StartSpec } from '../5.1/start.ts';
import type { RunOptions } from './cli.ts';
import { claimName, releaseName, releaseStaleNames } from './names.ts';
import { readState, statePath, updateState, writeState, type ContainerState } from './state.ts';

/**
 * What a container needs beyond 4.3's options (later chapters fill it in): `C` is what
 * a chapter adds to init's configuration, `S` what it adds to the state.
 */
export interface Launch<C extends object = object, S extends object = object> {
  /** the image to start from (5.7) */
  image?: string;
  /** more configuration for init (5.8's environment) */
  config?: C;
  /** more fields for the state (what `ps` and `exec` need to know) */
  state?: S;
}

/** Remove a container's state, directory and name claim. */
export function forget(id: string): void {
  const state = readState(id);
  fs.rmSync(containerDir(id), { recursive: true, force: true });
  if (state) releaseName(state.name, id);
}

export function lifecycle<O extends RunOptions, C extends object = object, S extends object = object>(
  launchOf: (opts: O) => Launch<C, S> = () => ({}),
  /** how a container starts (chapter 6.3 connects it to its network on the way) */
  startWith: (id: string, opts: O, spec: StartSpec<C>) => Promise<number> = startContainer,
) {
  /** Start container `id` and keep its state current (a foreground run and the monitor). */
  const start = (id: string, opts: O, hooks: StartHooks = {}): Promise<number> => {
    const launch = launchOf(opts);
    updateState(id, { runtime: processIdentity(process.pid) }); // the monitor takes over from the CLI
    return startWith(id, opts, {
      image: launch.image,
      config: launch.config,
      output: hooks.output,
      started: (pid) => {
        // exercise: record that the container runs, with init's pid and its start time
        updateState(id, { status: 'running', pid, pidIdentity: processIdentity(pid) });
        // end exercise
        hooks.started?.(pid);
      },
      ended: (code) => {
        updateState(id, { status: 'exited', exitCode: code, finished: new Date().toISOString() });
        hooks.ended?.(code);
      },
    });
  };

  const run = async (opts: O): Promise<number> => {
    const id = newContainerId();
    // Clean up after killed runtimes first (as the start will), and free their names.
    cleanupStale();
    releaseStaleNames();
    // The container's folder exists before its name is claimed: a claim whose holder has
    // no folder is then surely stale, never one that is just being made.
    fs.mkdirSync(containerDir(id), { recursive: true });
    let name: string;
    try {
      name = claimName(opts.name, id);
    } catch (err) {
      fs.rmSync(containerDir(id), { recursive: true, force: true });
      throw err;
    }
    const state: ContainerState = {
      id,
      name,
      command: opts.command,
      created: new Date().toISOString(),
      status: 'created',
      runtime: processIdentity(process.pid),
      detached: opts.detach,
      autoRemove: !opts.detach,
      volumes: opts.volumes,
      ...launchOf(opts).state,
    };
    try {
      writeState(state);
      if (opts.detach) {
        console.log(await runDetached(opts, id));
        return 0;
      }
      // In the foreground the container goes when it ends, state and name with it.
      return await start(id, opts, { ended: () => fs.rmSync(statePath(id), { force: true }) });
    } catch (err) {
      forget(id);
      throw err;
    } finally {
      if (!opts.detach) releaseName(name, id);
    }
  };

  return { start, run };
}

export const { start, run } = lifecycle<RunOptions>();
