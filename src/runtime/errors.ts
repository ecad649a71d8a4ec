// Error classes and exit codes shared by every stage. Machinery: the exit codes
// follow Docker's, so a learner's scripts can tell the failures apart:
//   125  the runtime itself failed, or the command line was wrong
//   126  the container's command exists but cannot be run
//   127  the container's command was not found

export const EXIT = { RUNTIME: 125, CANNOT_RUN: 126, NOT_FOUND: 127 } as const;

/** Bad input on the command line: reported before anything is created. */
export class UsageError extends Error {
  readonly exitCode = EXIT.RUNTIME;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure of the runtime while it sets a container up or tears it down. */
export class RuntimeError extends Error {
  readonly exitCode = EXIT.RUNTIME;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/**
 * Thrown by an exercise where the learner has not written the chapter's code yet.
 * `where` is the file:line of the TODO, so the message points straight at it.
 */
export class NotImplemented extends Error {
  readonly exitCode = EXIT.RUNTIME;
  constructor(
    readonly chapter: string,
    readonly step: string,
    readonly where: string,
  ) {
    super(`NotImplemented: chapter ${chapter}, step "${step}" is still a TODO (${where})`);
    this.name = 'NotImplemented';
  }
}

/** The exit code an error maps to: its own, or 125 for anything unexpected. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' ? code : EXIT.RUNTIME;
}

/** Why the runtime needs root, in the words every "not root" message uses. */
export const WHY_ROOT = 'containers are made of namespaces, mounts and cgroups, which need CAP_SYS_ADMIN';

/** Whether this process runs as root. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The one message for "not root": why, and the command line that runs it with sudo. */
export function notRootMessage(rerun: string): string {
  return `mydocker must run as root: ${WHY_ROOT}. Run: ${rerun}`;
}
