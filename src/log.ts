// The runtime's logger. Machinery: everything the runtime says goes to stderr, so the
// container's own output on stdout is never mixed with it or decorated.
// `--debug` (or MYDOCKER_DEBUG=1) turns on the detail lines.

import chalk from 'chalk';

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
    if (debugOn) write(chalk.gray('debug'), chalk.gray(msg));
  },
  info(msg: string): void {
    write(chalk.cyan('mydocker'), msg);
  },
  warn(msg: string): void {
    write(chalk.yellow('mydocker: warning:'), msg);
  },
  error(msg: string): void {
    write(chalk.red('mydocker: error:'), msg);
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
