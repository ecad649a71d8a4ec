// Chapter 4.4 — the stage's entry point. `npm run chapter 4.4 -- commit ID myimage` lands here;
// the commands themselves are listed in commands.ts.

import { runMain } from '../../src/runtime/entry.ts';
import { commands } from './commands.ts';

await runMain(import.meta.url, commands);
