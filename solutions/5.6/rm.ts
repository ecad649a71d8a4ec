// Chapter 5.6 — `rm [-f] CONTAINER…`: forget a container for good: its cgroup, its
// directory (write layer, state, log) and its name. A running container is refused
// unless -f, which kills it first (SIGKILL, as `docker rm -f`) and waits for its runtime
// to clean up.
//
// What `rm` never touches is a volume's data. The volumes were bind mounts inside the
// container's own mount namespace, gone with it, so the host directory was never *in*
// the container's directory; and removeContainerFiles (src/runtime/leftovers.ts) refuses to
// delete anything through a mount the host still shows there.

import { RuntimeError, UsageError } from '../../src/runtime/errors.ts';
import { parseFlags, type FlagSpec } from '../../src/runtime/flags.ts';
import { removeContainerFiles } from '../../src/runtime/leftovers.ts';
import { log } from '../../src/runtime/log.ts';
import { containerDir } from '../../src/runtime/state.ts';
import { releaseName } from '../5.2/names.ts';
import { findContainer, isRunning, type ContainerState } from '../5.2/state.ts';
import { settled, signalContainer, waitUntil } from '../5.5/stop.ts';

export const RM_FLAGS: FlagSpec[] = [
  { name: 'force', aliases: ['f'], kind: 'bool', help: 'Kill a running container first' },
];

/** Remove a container that has ended: cgroup, directory, name. */
export function removeContainer(state: ContainerState): void {
  // exercise: remove the container's cgroup and directory (never through a mount), then free its name
  if (!removeContainerFiles(state.id)) {
    throw new RuntimeError(`rm ${state.name}: not removed: something is still mounted under ${containerDir(state.id)}`);
  }
  releaseName(state.name, state.id);
  // end exercise
}

export async function rmOne(arg: string, force: boolean): Promise<void> {
  const state = findContainer(arg);
  if (isRunning(state) || !settled(state.id)) {
    // exercise: refuse a running container unless forced; forced, kill it and wait for its cleanup
    if (!force)
      throw new UsageError(
        `container ${state.name} is running: stop it first (stop ${state.name}) or remove it with rm -f`,
      );
    signalContainer(state, 'SIGKILL'); // no SIGTERM first: its handler would run half-way
    await waitUntil(() => settled(state.id), 10_000);
    // end exercise
  }
  removeContainer(state);
}

export async function rm(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, RM_FLAGS);
  if (rest.length === 0) throw new UsageError('usage: rm [-f] CONTAINER [CONTAINER...]');
  let failed = 0;
  for (const arg of rest) {
    try {
      await rmOne(arg, flags.force === true);
      console.log(arg);
    } catch (err) {
      log.error((err as Error).message); // go on with the others, as docker rm does
      failed++;
    }
  }
  return failed ? 125 : 0;
}
