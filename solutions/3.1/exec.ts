// Chapter 3.1 — the last step of init: find the user's command and become it with
// execve(2), so the command *is* PID 1 of the container (no runtime process stays
// between it and the kernel). Exit codes follow Docker: 127 not found, 126 cannot run.

import fs from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../src/runtime/errors.ts';
import { clearCloexecAndNonblock, execve, SysError } from '../../src/runtime/sys.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The command could not be run; exitCode says why (126 or 127). */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/**
 * Find `name` on `searchPath` as execvp(3) and a shell do: the first entry that is a
 * regular file with an execute bit wins; a directory or a file nobody may execute is
 * passed over and the search goes on. A name with a slash is used as it is.
 */
export function lookPath(name: string, searchPath = DEFAULT_PATH): string {
  if (name.includes('/')) {
    if (!fs.existsSync(name)) throw new ExecError(`${name}: executable file not found`, EXIT.NOT_FOUND);
    if (fs.statSync(name).isDirectory()) throw new ExecError(`${name}: is a directory`, EXIT.CANNOT_RUN);
    return name; // if it cannot be run, execve says why
  }
  let passedOver: string | undefined;
  for (const dir of searchPath.split(':')) {
    const file = path.join(dir || '.', name);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      continue;
    }
    if (st.isFile() && (st.mode & 0o111) !== 0) return file;
    passedOver ??= file;
  }
  if (passedOver)
    throw new ExecError(
      `${name}: ${passedOver} is a directory or not executable, and nothing else in PATH (${searchPath}) is`,
      EXIT.CANNOT_RUN,
    );
  throw new ExecError(`${name}: executable file not found in PATH (${searchPath})`, EXIT.NOT_FOUND);
}

/** The environment the container's command starts with (Docker's defaults). */
export function containerEnv(extra: string[] = []): string[] {
  const env = [`PATH=${DEFAULT_PATH}`, 'HOME=/root'];
  if (process.env.TERM) env.push(`TERM=${process.env.TERM}`);
  return [...env, ...extra];
}

/**
 * Hand stdin, stdout and stderr to the command as plain blocking fds. Node marks its
 * own fds 0–2 close-on-exec (and may make them non-blocking); left so, execve(2) would
 * close them and the command would start with no output at all.
 */
export function prepareStdio(): void {
  for (const fd of [0, 1, 2]) clearCloexecAndNonblock(fd);
}

/** Replace this process with the command. Returns only by throwing an ExecError. */
export function execCommand(argv: string[], env: string[] = containerEnv()): never {
  const file = lookPath(argv[0]!);
  prepareStdio();
  try {
    return execve(file, argv, env);
  } catch (err) {
    if (err instanceof SysError && err.code === 'ENOENT')
      throw new ExecError(`${argv[0]}: ${err.message}`, EXIT.NOT_FOUND);
    if (err instanceof SysError) throw new ExecError(`${argv[0]}: cannot run: ${err.message}`, EXIT.CANNOT_RUN);
    throw err;
  }
}
