// Chapter 6.4 — the stage's entry point. `npm run chapter 6.4 -- run -ti --net testbridge -p 8080:80 sh` lands here;
// the commands themselves are listed in commands.ts.

import { runMain } from '../../src/runtime/entry.ts';
import { commands } from './commands.ts';

await runMain(import.meta.url, commands);
