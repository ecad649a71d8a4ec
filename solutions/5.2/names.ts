// Chapter 5.2 — container names: given with --name, or made up (Docker-style
// "adjective_animal"). A name is unique among the containers of a state root.
//
// Checking "no container has this name" and then creating the container would let two
// runs started at the same moment both take the name. So a name is *claimed*, in one
// step that only one process can win: creating <state root>/names/<name> with O_EXCL
// (man 2 open), the file holding the container's id. `rm` frees the name. A claim whose
// container is gone (its runtime was killed and the cleanup removed it) is stale: it is
// taken over, and `cleanup` (and every `run`, which cleans up first) removes it.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/runtime/errors.ts';
import { containerDir, stateRoot } from '../../src/runtime/state.ts';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

const ADJECTIVES = [
  'brave',
  'calm',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'jolly',
  'keen',
  'lucid',
  'merry',
  'nifty',
  'proud',
  'quiet',
  'swift',
  'witty',
  'zen',
];
const ANIMALS = [
  'badger',
  'crane',
  'dolphin',
  'falcon',
  'gecko',
  'heron',
  'ibis',
  'koala',
  'lemur',
  'marmot',
  'otter',
  'panda',
  'quokka',
  'robin',
  'tapir',
  'yak',
];

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid container name "${name}": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

function namesDir(root = stateRoot()): string {
  return path.join(root, 'names');
}

/** Claim `name` for container `id`; false if a live container has it. */
function tryClaim(name: string, id: string, root?: string): boolean {
  const file = path.join(namesDir(root), name);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // exercise: create the name's file only if it does not exist yet (O_EXCL: 'wx')
      fs.writeFileSync(file, id, { flag: 'wx' });
      return true;
      // end exercise
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // no names/ yet, or the last name was just freed and the directory removed
        fs.mkdirSync(path.dirname(file), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw err;
    }
    let holder = '';
    try {
      holder = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // freed meanwhile: try again
    }
    if (!holder) {
      // created but not written yet by the process that won it: it is taken
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    if (fs.existsSync(containerDir(holder, root))) return false;
    fs.rmSync(file, { force: true }); // a stale claim: its container is gone
  }
  return false;
}

/** Claim the name the user gave, or make one up. Returns the name. */
export function claimName(wanted: string | undefined, id: string, root?: string): string {
  if (wanted !== undefined) {
    checkName(wanted);
    if (!tryClaim(wanted, id, root)) {
      const holder = fs.readFileSync(path.join(namesDir(root), wanted), 'utf8');
      throw new UsageError(
        `the container name "${wanted}" is already in use by container ${holder}: choose another name`,
      );
    }
    return wanted;
  }
  for (let i = 0; i < 20; i++) {
    const made = `${ADJECTIVES[Math.floor(Math.random() * ADJECTIVES.length)]}_${ANIMALS[Math.floor(Math.random() * ANIMALS.length)]}`;
    if (tryClaim(made, id, root)) return made;
  }
  const fallback = `container_${id}`;
  if (!tryClaim(fallback, id, root)) throw new UsageError(`could not find a free name for container ${id}`);
  return fallback;
}

/** Free `name` if container `id` holds it. */
export function releaseName(name: string, id: string, root?: string): void {
  const file = path.join(namesDir(root), name);
  try {
    if (fs.readFileSync(file, 'utf8') === id) fs.rmSync(file, { force: true });
    // The last name gone, names/ goes too: a state root holds only what is in use.
    fs.rmdirSync(namesDir(root));
  } catch {
    // not claimed, or other names are still in use
  }
}

/**
 * Remove every claim whose container is gone (a foreground run killed with SIGKILL: the
 * cleanup removed its directory, nobody released its name). Returns the names freed.
 */
export function releaseStaleNames(root?: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(namesDir(root));
  } catch {
    return [];
  }
  const freed = names.filter((name) => {
    const file = path.join(namesDir(root), name);
    let holder: string;
    try {
      holder = fs.readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    // An empty claim is being written; a holder with a directory is alive (or kept).
    if (!holder || fs.existsSync(containerDir(holder, root))) return false;
    releaseName(name, holder, root);
    return true;
  });
  try {
    fs.rmdirSync(namesDir(root));
  } catch {
    // names still in use
  }
  return freed;
}
