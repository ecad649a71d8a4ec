// The tagged runner behind `npm run chapter <tag> -- ARGS` (the reference stage,
// solutions/<tag>) and `npm run lab <tag> -- ARGS` (your exercise, exercises/<tag>).
// Machinery. It checks the tag and that we are root, then runs the stage's main.ts in
// this same process, as if node had been started on it: the stage's runMain() takes
// its own import.meta.url, so `run` re-executes that very stage as the container's init.
//
// The stage is bundled first (src/workshop/bundle.ts; rebuilt whenever a source changed, so
// your last edit is what runs) and the bundle is imported: the container's init then
// starts as plain `node main.cjs init`, without the ~300 ms of loading the TypeScript
// loader a second time. MYDOCKER_NO_BUNDLE=1 imports main.ts through tsx instead.
//
//   node src/workshop/runner.mjs solutions|exercises TAG [ARGS...]   (what npm runs: runner.ts
//                                                                      bundled, no tsx)
//   node --import tsx src/workshop/runner.ts solutions|exercises TAG [ARGS...]

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFailure } from './build-cache.mjs';
import { bundleStage } from './bundle.ts';
import { CHAPTERS, findChapter } from './chapters.ts';
import { EXIT, notRootMessage } from '../runtime/errors.ts';
import { log } from '../runtime/log.ts';
import { isMain, REPO } from './repo.ts';
import { handoutNoExercise } from './workflow/handout-manifest.ts';

/** An argument as the user would type it in a shell (for the sudo line). */
function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Arguments that only ask for help, which needs no root. */
function onlyHelp(args: string[]): boolean {
  const rest = args.filter((a) => a !== '--debug' && a !== '-D');
  return rest.length === 0 || ['help', '--help', '-h'].includes(rest[0]!) || rest.includes('--help');
}

/**
 * Check everything that can be checked before the stage runs. Returns the stage's
 * main.ts, or an error line (printed by the caller with exit code 125).
 */
export function prepare(
  argv: string[],
  uid = process.getuid?.(),
): { main: string; args: string[] } | { error: string } {
  const [base, tag, ...args] = argv;
  const script = base === 'exercises' ? 'lab' : 'chapter';
  const known = CHAPTERS.map((c) => c.tag).join(', ');
  if (!base) return { error: 'usage: node src/workshop/runner.mjs solutions|exercises TAG [ARGS...]' };
  if (!tag) return { error: `which chapter? npm run ${script} <tag> -- run -ti sh   (chapters: ${known})` };
  if (!findChapter(tag)) return { error: `unknown chapter "${tag}": the chapters are ${known}` };
  const main = path.resolve(REPO, base, tag, 'main.ts');
  if (!fs.existsSync(main)) {
    return {
      error:
        base === 'exercises'
          ? (handoutNoExercise(tag, REPO) ??
            `exercises/${tag} does not exist yet: \`npm run exercises\` writes it from solutions/${tag}`)
          : `chapter ${tag} has no reference stage yet (${path.relative(REPO, main)} is missing)`,
    };
  }
  if (uid !== 0 && !onlyHelp(args)) {
    const line = [`sudo -E npm run ${script} ${tag}`, ...(args.length ? ['--', ...args.map(shellQuote)] : [])].join(
      ' ',
    );
    return { error: notRootMessage(line) };
  }
  return { main, args };
}

/** Run the stage named by process.argv (what runner.mjs calls). */
export async function run(): Promise<void> {
  const p = prepare(process.argv.slice(2));
  if ('error' in p) {
    log.error(p.error);
    process.exitCode = EXIT.RUNTIME;
    return;
  }
  let entry = p.main;
  if (process.env.MYDOCKER_NO_BUNDLE !== '1') {
    try {
      entry = bundleStage(path.dirname(p.main));
    } catch (err) {
      // esbuild's message names file:line:column of what does not compile.
      log.error(`${path.relative(REPO, path.dirname(p.main))} does not compile: ${buildFailure(err)}`);
      process.exitCode = EXIT.RUNTIME;
      return;
    }
    // The bundle is plain JavaScript: the init that `run` starts (with process.execArgv)
    // does not need the TypeScript loader this runner was started with.
    process.execArgv = dropTsxLoader(process.execArgv);
  } else if (dropTsxLoader(process.execArgv).length === process.execArgv.length) {
    // Started without tsx (runner.mjs): register it here, and for the init `run` starts.
    const { register } = await import('tsx/esm/api');
    register();
    process.execArgv = [...process.execArgv, '--import', 'tsx'];
  }
  // As if node had been started on the stage itself: runMain() reads process.argv.
  process.argv = [process.argv[0]!, entry, ...p.args];
  await import(pathToFileURL(entry).href);
}

/** execArgv without `--import tsx` / `--import=tsx` / `--loader tsx`. */
export function dropTsxLoader(execArgv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (
      (a === '--import' || a === '--loader' || a === '--experimental-loader') &&
      /^tsx(\/|$)/.test(execArgv[i + 1] ?? '')
    ) {
      i++;
      continue;
    }
    if (/^--(import|loader|experimental-loader)=tsx(\/|$)/.test(a)) continue;
    out.push(a);
  }
  return out;
}

if (isMain(import.meta.url)) await run();
