// A command's whole command line, built up chapter by chapter. Machinery: `run` gains
// flags in almost every chapter (-ti, then -m, -v, -d, --name, -e …), and each chapter
// should only have to say what it adds. So a chapter's cli.ts declares
//
//   - the flags it adds (FlagSpec, src/runtime/flags.ts), and
//   - a function from *their* parsed values (typed by the specs) and the options of the
//     chapters below to the chapter's own part of the options,
//
// and `extendCommandLine` stacks that layer on the command line of the chapter below.
// Parsing happens once, against every layer's flags; then each layer's function runs in
// chapter order, each seeing what the earlier ones made. Usage and --help are written
// from the flags themselves, so they always list exactly what the parser accepts.
//
//   3.1  commandLine({ name: 'run', operands: 'COMMAND [ARG...]', flags: [-t, -i], options })
//   3.2  extendCommandLine(3.1's, { flags: [-m, --cpu-shares, …], options })   → + resources
//   4.3  extendCommandLine(3.2's, { flags: [-v], options })                     → + volumes
//   …

import type { Command } from './entry.ts';
import { flagHelp, parseFlags, type FlagSpec, type FlagValues } from './flags.ts';

/** What one flag parses to: a bool flag is there or not; a list collects every use. */
type ValueOf<S extends FlagSpec> = S['kind'] extends 'bool'
  ? true | undefined
  : S['kind'] extends 'list'
    ? string[]
    : string | undefined;

/** The parsed values of a list of flags, one key per flag name, typed by each flag's kind. */
export type FlagValuesOf<F extends readonly FlagSpec[]> = { [S in F[number] as S['name']]: ValueOf<S> };

export interface CommandLine<O> {
  /** The command: "run". */
  readonly name: string;
  /** One line for the command list: "Create and run a container". */
  readonly summary: string;
  /** What follows the options in the usage line: "COMMAND [ARG...]". */
  readonly operands: string;
  /** Every flag, the earliest chapter's first. */
  readonly flags: readonly FlagSpec[];
  /** Lines after the options table in --help (what the operands mean). */
  readonly notes: readonly string[];
  /** From every flag's value and the operands to the options, layer by layer. */
  readonly build: (values: FlagValues, operands: string[]) => O;
}

/** The first layer: the command, its first flags, and how its options are made. */
export function commandLine<const F extends readonly FlagSpec[], O>(spec: {
  name: string;
  summary: string;
  operands: string;
  flags: F;
  options: (values: FlagValuesOf<F>, operands: string[]) => O;
  notes?: string[];
}): CommandLine<O> {
  return {
    name: spec.name,
    summary: spec.summary,
    operands: spec.operands,
    flags: spec.flags,
    notes: spec.notes ?? [],
    build: (values, operands) => spec.options(values as FlagValuesOf<F>, operands),
  };
}

/**
 * A later chapter's layer: `flags` are added to the base's, and `options` turns their
 * values (and the options the chapters below made) into this chapter's part, which is
 * merged over the base's. A layer may also say the operands differently (5.7's IMAGE).
 */
export function extendCommandLine<B, const F extends readonly FlagSpec[], A>(
  base: CommandLine<B>,
  layer: { flags: F; options: (values: FlagValuesOf<F>, base: B) => A; operands?: string; notes?: string[] },
): CommandLine<Omit<B, keyof A> & A> {
  for (const f of layer.flags) {
    const taken = base.flags.find((b) =>
      [b.name, ...(b.aliases ?? [])].some((n) => n === f.name || f.aliases?.includes(n)),
    );
    if (taken) throw new Error(`${base.name}: flag --${f.name} clashes with --${taken.name}`); // a bug in a stage, not a user's error
  }
  return {
    name: base.name,
    summary: base.summary,
    operands: layer.operands ?? base.operands,
    flags: [...base.flags, ...layer.flags],
    notes: [...base.notes, ...(layer.notes ?? [])],
    build: (values, operands) => {
      const below = base.build(values, operands);
      return { ...below, ...layer.options(values as FlagValuesOf<F>, below) };
    },
  };
}

/** Parse `argv` (what follows the command's name) into the command's options. */
export function parseCommandLine<O>(line: CommandLine<O>, argv: readonly string[]): O {
  const { flags, rest } = parseFlags(argv, line.flags);
  return line.build(flags, rest);
}

/** The usage line: "mydocker run [OPTIONS] COMMAND [ARG...]". */
export function usageLine(line: Pick<CommandLine<unknown>, 'name' | 'operands' | 'flags'>): string {
  return [
    'mydocker',
    line.name,
    ...(line.flags.length ? ['[OPTIONS]'] : []),
    ...(line.operands ? [line.operands] : []),
  ].join(' ');
}

/** What `mydocker COMMAND --help` prints: usage, summary, every flag, the notes. */
export function commandLineHelp(
  line: Pick<CommandLine<unknown>, 'name' | 'summary' | 'operands' | 'flags' | 'notes'>,
): string {
  const options = line.flags.length ? ['', 'Options:', flagHelp(line.flags)] : [];
  const notes = line.notes.length ? ['', ...line.notes] : [];
  return [`Usage: ${usageLine(line)}`, '', line.summary, ...options, ...notes].join('\n');
}

/** The command a stage lists for `line`: parsed, then `start`ed; --help from the flags. */
export function commandFrom<O>(line: CommandLine<O>, start: (opts: O) => Promise<number>): Command {
  return {
    summary: `${line.summary}: ${usageLine(line).replace(/^mydocker /, '')}`,
    flags: line.flags,
    help: () => commandLineHelp(line),
    run: (args) => start(parseCommandLine(line, args)),
  };
}
