// Types of build-cache.mjs (plain JavaScript: the runner's launcher uses it before any
// TypeScript loader).

import type { BuildOptions } from 'esbuild';

/** esbuild's options for a bundle Node runs: one ES module, npm packages left external. */
export const NODE_BUNDLE: BuildOptions;

/** The same as one CommonJS script, for the stage launcher (launch.cjs) and its code cache. */
export const NODE_CJS_BUNDLE: BuildOptions;

/** Changes made to an entry's text before bundling and to esbuild's output after, by name. */
export const REWRITES: {
  'stage-script': {
    entry: (text: string) => string;
    output: (
      code: string,
      resolve: (id: string) => string,
      native: (id: string, file: string) => { file: string; version: string } | undefined,
    ) => string;
  };
};

/**
 * The native module package `id` (its entry `file`) exports as it is, as `req` loads it:
 * its file and version; undefined for a package that is not such (only koffi is).
 */
export function nativeModule(
  req: NodeJS.Require,
  id: string,
  file: string,
): { file: string; version: string } | undefined;

/** A failed build as one line: esbuild's message names file:line:column of each error. */
export function buildFailure(err: unknown): string;

/** Whether the bundle at `out` was built with `key` from files that are all unchanged. */
export function isFresh(out: string, key: string): boolean;

/**
 * Bundle `entry` into `out` with these options unless the bundle there is fresh; returns `out`.
 * `rewrite` names a change made to the entry's text first (REWRITES).
 */
export function buildCached(
  entry: string,
  out: string,
  options: BuildOptions,
  root: string,
  rewrite?: keyof typeof REWRITES,
): string;
