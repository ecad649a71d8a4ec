// Chapter 5.9 — the stage's entry point. `npm run chapter 5.9 -- run -ti sh` lands here;
// the commands themselves are listed in commands.ts.

import { runMain } from '../../src/runtime/entry.ts';
import { commands } from './commands.ts';

await runMain(import.meta.url, commands);
