// A small command-line flag parser shared by every stage. Machinery: flag parsing is
// not what any chapter teaches, so each stage only *declares* its flags (a list of
// FlagSpec) and this module turns argv into values, or a UsageError naming the flag.
//
// Accepted forms, as Docker users expect:  -t -i -ti  --tty  -m 100m  -m=100m
// --memory 100m  --memory=100m, and the book's single-dash long names (-cpushare 512).
// Parsing stops at the first argument that is not a flag: that is the command, and
// everything after it belongs to the command (`run -ti sh -c 'ls -l'`).

import { UsageError } from './errors.ts';

export interface FlagSpec {
  /** Key in the parsed result and the long name: "memory" → --memory. */
  readonly name: string;
  /** Other spellings, without dashes: "m", "cpushare". One letter → short flag. */
  readonly aliases?: readonly string[];
  /** bool: takes no value; string: one value (the last wins); list: repeatable. */
  readonly kind: 'bool' | 'string' | 'list';
  /** One line for --help. */
  readonly help: string;
  /** Placeholder for the value in --help, e.g. "SIZE". */
  readonly value?: string;
}

export type FlagValues = Record<string, boolean | string | string[] | undefined>;

export interface Parsed {
  flags: FlagValues;
  /** The first non-flag argument and everything after it. */
  rest: string[];
}

function lookup(specs: readonly FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.name === name || s.aliases?.includes(name));
}

/** Parse `argv` against `specs`. Throws UsageError for an unknown flag or a missing value. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): Parsed {
  const flags: FlagValues = {};
  for (const s of specs) if (s.kind === 'list') flags[s.name] = [];

  const set = (spec: FlagSpec, value: string | true) => {
    if (spec.kind === 'bool') {
      if (value !== true) throw new UsageError(`flag --${spec.name} takes no value (got "${value}")`);
      flags[spec.name] = true;
    } else if (value === true) {
      throw new UsageError(`flag --${spec.name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    } else if (spec.kind === 'list') {
      (flags[spec.name] as string[]).push(value);
    } else {
      flags[spec.name] = value;
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break; // the command starts here

    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    let spec = lookup(specs, name);

    // A group of one-letter bool flags: -ti, -it, -d
    if (!spec && !arg.startsWith('--') && inline === undefined && name.length > 1) {
      const group = [...name].map((ch) => lookup(specs, ch));
      if (group.every((s) => s && s.kind === 'bool')) {
        for (const s of group) set(s!, true);
        continue;
      }
      // A short flag with its value attached: -m100m
      const first = lookup(specs, name[0]!);
      if (first && first.kind !== 'bool' && first.aliases?.includes(name[0]!)) {
        set(first, name.slice(1));
        continue;
      }
    }
    if (!spec) throw new UsageError(`unknown flag: ${arg} (see --help)`);

    if (inline !== undefined) set(spec, inline);
    else if (spec.kind === 'bool') set(spec, true);
    else {
      const next = argv[i + 1];
      if (next === undefined) set(spec, true); // reports the missing value
      set(spec, next!);
      i++;
    }
  }
  return { flags, rest: argv.slice(i) };
}

/** The flag table for --help, one line per flag. */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = [...(s.aliases ?? []).filter((a) => a.length === 1).map((a) => `-${a}`), `--${s.name}`];
    const left = names.join(', ') + (s.value ? ` ${s.value}` : '');
    // Longer spellings (the book's -cpushare, Docker's --network) are listed after the help.
    const also = (s.aliases ?? []).filter((a) => a.length > 1).map((a) => `--${a}`);
    const notes = [...(s.kind === 'list' ? ['repeatable'] : []), ...(also.length ? [`also ${also.join(', ')}`] : [])];
    return [left, s.help + (notes.length ? ` (${notes.join('; ')})` : '')];
  });
  const width = Math.max(...rows.map(([l]) => l!.length));
  return rows.map(([l, h]) => `  ${l!.padEnd(width)}  ${h}`).join('\n');
}
