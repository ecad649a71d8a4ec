// Types of bench-driver.mjs (plain JavaScript: the bench's timed rounds run in it as a
// process of its own, without a TypeScript loader).

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: number[]): number;

/** One command of a row: `env` adds to (null: removes from) the driver's environment. */
export interface DriverStep {
  file: string;
  args: string[];
  env?: Record<string, string | null>;
}

/** Time `rounds` interleaved rounds of `rows`: each row's milliseconds, by name. */
export function timeRounds(rows: { name: string; steps: DriverStep[] }[], rounds: number): Record<string, number[]>;
