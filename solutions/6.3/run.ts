// Chapter 6.3 — `run` starts containers through this chapter's startContainer (which
// connects them to their network) and notes the network in the state.

import { lifecycle } from '../5.2/run.ts';
import type { RunOptions } from './cli.ts';
import { startContainer } from './start.ts';

export const { run, start } = lifecycle<RunOptions>(
  (opts) => ({
    image: opts.image,
    state: { image: opts.image, env: opts.env, ...(opts.net ? { network: opts.net } : {}) },
  }),
  startContainer,
);
