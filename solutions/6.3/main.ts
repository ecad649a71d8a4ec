// Chapter 6.3 — the stage's entry point. `npm run chapter 6.3 -- run --net testbridge sh` lands here;
// the commands themselves are listed in commands.ts.

import { runMain } from '../../src/runtime/entry.ts';
import { commands } from './commands.ts';

await runMain(import.meta.url, commands);
