// Chapter 5.7 — `run` starts the container from the image it names: that image's
// rootfs is the container's lower layer (each container still has its own write layer
// over it, chapter 4.2), and the state records which image it was.

import { lifecycle } from '../5.2/run.ts';
import type { RunOptions } from './cli.ts';

export const { run, start } = lifecycle<RunOptions>((opts) => ({ image: opts.image, state: { image: opts.image } }));
