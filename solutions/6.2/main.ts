// Chapter 6.2 — the stage's entry point. `npm run chapter 6.2 -- network create --subnet 192.168.10.0/24 testbridge` lands here;
// the commands themselves are listed in commands.ts.

import { runMain } from '../../src/runtime/entry.ts';
import { commands } from './commands.ts';

await runMain(import.meta.url, commands);
