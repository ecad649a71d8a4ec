// The runtime's logger. Machinery: everything the runtime says goes to stderr, so the
// container's own output on stdout is never mixed with it or decorated.
// `--debug` (or MYDOCKER_DEBUG=1) turns on the detail lines.
//
// chalk is loaded on the first line logged, not at start: a container start that goes
// well logs nothing, and loading chalk (it makes Node set up its stdio streams) was
// about 17 ms of every start, paid twice: by the runtime and by the container's init
// (docs/performance.md). `require` of an ES module needs Node 20.19 or newer.
// Once init has pivoted into the container's root, node_modules is out of reach: what
// init says from there goes out without colors.

import { createRequire } from 'node:module';

type Paint = (text: string) => string;
let paints: Record<'gray' | 'cyan' | 'yellow' | 'red', Paint> | undefined;

function paint(): NonNullable<typeof paints> {
  if (!paints) {
    try {
      paints = (createRequire(import.meta.url)('chalk') as typeof import('chalk')).default;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      const plain: Paint = (text) => text;
      paints = { gray: plain, cyan: plain, yellow: plain, red: plain };
    }
  }
  return paints;
}

let debugOn = process.env.MYDOCKER_DEBUG === '1';

export function setDebug(on: boolean): void {
  debugOn = on;
  if (on) process.env.MYDOCKER_DEBUG = '1'; // inherited by the container's init
}

function write(prefix: string, msg: string): void {
  process.stderr.write(`${prefix} ${msg}\n`);
}

export const log = {
  debug(msg: string): void {
    if (debugOn) write(paint().gray('debug'), paint().gray(msg));
  },
  info(msg: string): void {
    write(paint().cyan('mydocker'), msg);
  },
  warn(msg: string): void {
    write(paint().yellow('mydocker: warning:'), msg);
  },
  error(msg: string): void {
    write(paint().red('mydocker: error:'), msg);
  },
};

/**
 * End quietly when whoever reads our stdout stops (`mydocker logs web | head`,
 * `npm run hint 4.3 | head`): an EPIPE there is the reader being done, not an error.
 */
export function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}
