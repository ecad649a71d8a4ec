// Where the workshop is, and which of its scripts is running. Machinery: the workshop's
// tools (runner, workflow scripts, doctor, bench) and the test harness find the
// repository from here, so the answer is computed in one place.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: the folder with package.json, solutions/ and chapters/. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Whether the module with this import.meta.url is the script node was started with
 * (`node --import tsx src/workshop/doctor.ts`), through symbolic links too.
 */
export function isMain(metaUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}
