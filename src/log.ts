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
