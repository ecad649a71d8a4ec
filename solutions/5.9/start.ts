// Chapter 5.9 — 5.1's startContainer, starting the container through this chapter's
// runContainer (a terminal of its own with -t). Nothing else changes.

import { startingWith } from '../5.1/start.ts';
import { runContainer } from './container.ts';

export const startContainer = startingWith(runContainer);
