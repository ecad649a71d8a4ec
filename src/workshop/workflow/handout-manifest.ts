// What a handout (`npm run handout`, handout.ts) records about itself in handout.json,
// and what the tools say in a handout where the workshop would point at a solution it
// does not have. Machinery; kept apart from handout.ts so that the runner and verify
// read it without loading the exercise generator.

import fs from 'node:fs';
import path from 'node:path';

export const MANIFEST = 'handout.json';

/** handout.json at the root of a handout. */
export interface HandoutManifest {
  /** The assignment's chapter: its exercise is there, its solution is not. */
  tag: string;
  /** Chapters with an exercise in the handout (TAG and, with --through, later ones). */
  exercises: string[];
  /** Chapters whose reference stage is in the handout (every one below TAG). */
  references: string[];
  /** The workshop it was made from. */
  source: { commit: string | null; dirty: boolean };
  at: string;
}

/** The manifest of the handout at `root`, or undefined in the workshop itself. */
export function readHandoutManifest(root: string): HandoutManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8')) as HandoutManifest;
  } catch {
    return undefined;
  }
}

/**
 * In a handout, why chapter `tag` has no exercise there (a reference stage, or a chapter
 * whose exercise is missing), for the tools to say instead of "npm run exercises writes
 * it" (a handout has no such script). Undefined outside a handout.
 */
export function handoutNoExercise(tag: string, root: string): string | undefined {
  const m = readHandoutManifest(root);
  if (!m) return undefined;
  if (m.references.includes(tag))
    return `chapter ${tag} is a reference stage in this handout (solutions/${tag}); the exercises here are ${m.exercises.join(', ')}`;
  return `exercises/${tag} is missing from this handout (its exercises: ${m.exercises.join(', ')}); \`git checkout -- exercises/${tag}\` restores a committed copy`;
}

/** In a handout, what `npm run reset` says for an exercise it cannot regenerate (no solution here). */
export function handoutResetMessage(tag: string, root: string): string | undefined {
  const m = readHandoutManifest(root);
  if (!m || !m.exercises.includes(tag)) return undefined;
  return `this handout has no solutions/${tag} to regenerate exercises/${tag} from: \`git checkout -- exercises/${tag}\` restores the version you committed (git stash first keeps your edits)`;
}
