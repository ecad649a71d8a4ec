// Chapter 5.8 — `run` gives init the environment and keeps it in the state for `exec`.

import { lifecycle } from '../5.2/run.ts';
import type { RunOptions } from './cli.ts';

export const { run, start } = lifecycle<RunOptions>((opts) => ({
  image: opts.image,
  config: { env: opts.env },
  state: { image: opts.image, env: opts.env },
}));
