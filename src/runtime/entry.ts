// The entry point every stage's main.ts calls. Machinery: it dispatches the
// subcommand, turns errors into one clear line and Docker's exit codes, and remembers
// which main.ts is running so `run` can re-execute the same stage as the container's
// `init` (the book's `/proc/self/exe init`).

import { fileURLToPath } from 'node:url';
import { exitCodeOf, isRoot, NotImplemented, notRootMessage, UsageError } from './errors.ts';
import { flagHelp, type FlagSpec } from './flags.ts';
import { endQuietlyOnClosedStdout, log, setDebug } from './log.ts';
import { SysError } from './sys.ts';

export interface Command {
  /** One line for the command list in --help. */
  summary: string;
  /** Hidden commands (init) are not listed. */
  hidden?: boolean;
  /** What `mydocker COMMAND --help` prints; without it, the summary and the flags. */
  help?: () => string;
  /** The command's flags, listed by the default --help. */
  flags?: readonly FlagSpec[];
  /** Runs the command; resolves to the process's exit code. */
  run(args: string[]): Promise<number> | number;
}

let selfPath: string | undefined;

/** The running stage's main.ts, for re-executing it as the container's init. */
export function stageMain(): string {
  if (!selfPath) throw new Error('stageMain() called before runMain()');
  return selfPath;
}

/** The argv that starts this stage's main.ts again with `args` (same node, same loader flags). */
export function selfCommand(args: string[]): { file: string; args: string[] } {
  return { file: process.execPath, args: [...process.execArgv, stageMain(), ...args] };
}

function usage(stage: string, commands: Record<string, Command>): string {
  const rows = Object.entries(commands).filter(([, c]) => !c.hidden);
  const width = Math.max(...rows.map(([n]) => n.length));
  return [
    `Usage: mydocker [--debug] COMMAND [ARGS...]     (stage ${stage})`,
    '',
    'Commands:',
    ...rows.map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'mydocker COMMAND --help' for a command's flags.",
  ].join('\n');
}

/** The default `mydocker COMMAND --help`: the summary, then the flags if it has any. */
function commandHelp(name: string, cmd: Command): string {
  const flags = cmd.flags?.length ? `\n\nOptions:\n${flagHelp(cmd.flags)}` : '';
  return `mydocker ${name}: ${cmd.summary}${flags}`;
}

/** Print one line for an error (a stack only with --debug) and give its exit code. */
export function reportError(err: unknown): number {
  if (err instanceof UsageError || err instanceof SysError || err instanceof NotImplemented) {
    log.error(err.message);
  } else if (err instanceof Error) {
    log.error(err.message);
    log.debug(err.stack ?? '');
  } else {
    log.error(String(err));
  }
  return exitCodeOf(err);
}

/**
 * Run a stage: `selfUrl` is the stage main's import.meta.url, `commands` its commands.
 * Sets process.exitCode; never throws.
 */
export async function runMain(
  selfUrl: string,
  commands: Record<string, Command>,
  argv = process.argv.slice(2),
): Promise<void> {
  selfPath = fileURLToPath(selfUrl);
  // The Node processes this one starts (the container's init, a detached container's
  // monitor) open no TLS connection, yet with NODE_EXTRA_CA_CERTS set every Node start
  // reads and parses that certificate bundle first: about 40 ms of each container start
  // on the machines this is tested on (docs/performance.md). Not passed on.
  delete process.env.NODE_EXTRA_CA_CERTS;
  const stage = selfPath.split('/').slice(-3, -1).join('/'); // e.g. solutions/4.3
  let args = [...argv];
  while (args[0] === '--debug' || args[0] === '-D') {
    setDebug(true);
    args = args.slice(1);
  }
  const name = args[0];
  // Touching process.stdout or process.stderr makes Node build a stream on the fd: for a
  // pipe, a socket that sets the pipe non-blocking. Hidden commands (init, a detached
  // container's monitor) are the runtime talking to itself: they print nothing for a
  // reader, and init's stdio is the container's, to be handed to the command untouched.
  if (!(name && commands[name]?.hidden)) {
    endQuietlyOnClosedStdout();
    // A container's stdout and stderr are the runtime's own open files, and a file's
    // O_NONBLOCK is one flag for every process holding it. Node builds process.stderr
    // lazily, even for an internal check as a socket closes (init's pipe, once init has
    // read its configuration, racing init's last steps). Built now, before any container
    // starts, it never flips the flag under a running command (init clears it before
    // exec: 3.1's prepareStdio).
    void process.stderr;
  }
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(usage(stage, commands) + '\n');
      process.exitCode = name ? 0 : 125;
      return;
    }
    const cmd = commands[name];
    if (!cmd)
      throw new UsageError(
        `unknown command "${name}" (commands: ${Object.keys(commands)
          .filter((n) => !commands[n]!.hidden)
          .join(', ')})`,
      );
    if (args[1] === '--help') {
      process.stdout.write((cmd.help ? cmd.help() : commandHelp(name, cmd)) + '\n');
      process.exitCode = 0;
      return;
    }
    if (!isRoot() && !args.includes('--help'))
      throw new UsageError(notRootMessage('sudo -E npm run chapter <tag> -- ...'));
    process.exitCode = await cmd.run(args.slice(1));
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
