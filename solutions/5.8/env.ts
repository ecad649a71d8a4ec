// Chapter 5.8 — the container's environment: Docker's defaults (PATH, HOME, TERM) and
// the user's -e KEY=VALUE on top. -e KEY without a value takes KEY's value from the
// environment of `mydocker run` (and is left out if it has none), as Docker does.
//
// The environment is checked in the CLI, sent to init in the configuration, and kept
// in the state, so that `exec` (chapter 5.4) starts its commands with it too. init
// looks the command up on the container's PATH — the user's, if -e PATH= gave one.

import { EXIT, UsageError } from '../../src/runtime/errors.ts';
import { execve, prctl, PR_SET_NO_NEW_PRIVS, SysError } from '../../src/runtime/sys.ts';
import { containerEnv, DEFAULT_PATH, ExecError, lookPath, prepareStdio } from '../3.1/exec.ts';
import { closeInheritedFds } from '../3.3/init.ts';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Check the -e specs and build the container's environment: defaults, then the user's (the last wins). */
export function buildEnv(specs: string[], host: NodeJS.ProcessEnv = process.env): string[] {
  const env = new Map<string, string>();
  for (const kv of containerEnv()) env.set(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1));
  for (const spec of specs) {
    // exercise: check KEY=VALUE (or KEY alone, from the host) and set it over the defaults
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (!KEY.test(key)) {
      throw new UsageError(
        `invalid -e "${spec}": the name must be letters, digits and '_', not starting with a digit (e.g. -e GREETING=hello)`,
      );
    }
    if (eq >= 0) env.set(key, spec.slice(eq + 1));
    else if (host[key] !== undefined) env.set(key, host[key]!);
    // end exercise
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** The PATH in `env`, or the default one. */
export function pathOf(env: string[]): string {
  return env.find((kv) => kv.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
}

/** 3.3's execInContainer with the container's environment: look up on its PATH, exec with it. */
export function execWithEnv(command: string[], env: string[]): never {
  closeInheritedFds();
  prctl(PR_SET_NO_NEW_PRIVS, 1);
  // exercise: find the command on the container's PATH and exec it with the container's environment
  const file = lookPath(command[0]!, pathOf(env));
  prepareStdio();
  try {
    return execve(file, command, env);
  } catch (err) {
    if (err instanceof SysError && err.code === 'ENOENT')
      throw new ExecError(`${command[0]}: ${err.message}`, EXIT.NOT_FOUND);
    if (err instanceof SysError) throw new ExecError(`${command[0]}: cannot run: ${err.message}`, EXIT.CANNOT_RUN);
    throw err;
  }
  // end exercise
}
