// Chapter 5.9 — `run` starts containers through this chapter's startContainer (a
// terminal of their own with -t); the rest is 5.8's.

import { lifecycle } from '../5.2/run.ts';
import type { RunOptions } from './cli.ts';
import { startContainer } from './start.ts';

export const { run, start } = lifecycle<RunOptions>(
  (opts) => ({
    image: opts.image,
    config: { env: opts.env },
    state: { image: opts.image, env: opts.env },
  }),
  startContainer,
);
