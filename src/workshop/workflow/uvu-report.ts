// A reporter for uvu 0.5, which has no reporter API. Machinery for `npm run verify` and
// the exercise check: they need every test's name and outcome, and uvu prints passing
// tests only as dots. Preloaded with `node --import ./src/workshop/workflow/uvu-report.ts`, this
// module sends every import of 'uvu' to itself (a module resolve hook) and hands the
// test files uvu's own `test`/`suite`, with each test's function wrapped so that its
// outcome is written as one JSON line to the file descriptor in MYDOCKER_TEST_REPORT_FD.
// uvu itself still runs and prints everything as usual; without that variable set this
// module changes nothing at all.
//
//   {"event":"start","file":"namespaces.test.ts","suite":"","name":"…"}   (so an interrupted run can name its test)
//   {"event":"pass","file":"namespaces.test.ts","suite":"","name":"…"}
//   {"event":"fail","file":"…","suite":"","name":"…","error":{"name":"Assertion","message":"…",…}}

import fs from 'node:fs';
import { register } from 'node:module';
// Linked before the hook below is registered, so this is the real uvu.
import * as uvu from 'uvu';

export { exec } from 'uvu';

const fd = Number(process.env.MYDOCKER_TEST_REPORT_FD);
const active = Number.isInteger(fd) && fd > 2;

if (active) {
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === 'uvu') return { url: ${JSON.stringify(import.meta.url)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** What a failed test threw, as far as it can be told in JSON. */
export interface ErrorInfo {
  name: string;
  message: string;
  operator?: string;
  /** Whether uvu wrote the message itself (no message was given to the assertion). */
  generated?: boolean;
  details?: string;
  actual?: string;
  expects?: string;
}

const LIMIT = 8000;

function preview(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (v instanceof RegExp)
    s = String(v); // JSON would say {}
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > LIMIT ? `${s.slice(0, LIMIT)}…` : s;
}

function describe(err: unknown): ErrorInfo {
  if (!(err instanceof Error)) return { name: 'thrown value', message: String(err) };
  const e = err as Error & {
    operator?: string;
    generated?: boolean;
    details?: unknown;
    actual?: unknown;
    expects?: unknown;
  };
  const info: ErrorInfo = { name: e.name, message: e.message.slice(0, LIMIT) };
  if (e.name === 'Assertion') {
    info.operator = e.operator;
    info.generated = e.generated;
    if (typeof e.details === 'string') info.details = e.details.slice(0, LIMIT);
    info.actual = preview(e.actual);
    info.expects = preview(e.expects);
  }
  return info;
}

function emit(record: object): void {
  if (active) fs.writeSync(fd, JSON.stringify(record) + '\n');
}

/** The test file being loaded: uvu's runner starts each file's queue with its name. */
function currentFile(): string {
  const g = globalThis as { UVU_QUEUE?: unknown[][]; UVU_INDEX?: number };
  const name = g.UVU_QUEUE?.[g.UVU_INDEX ?? 0]?.[0];
  return typeof name === 'string' ? name : '';
}

type Handler = (context: never) => unknown;
type Register = (name: string, handler: Handler) => void;

function observe(file: string, suite: string, name: string, handler: Handler): Handler {
  return async (context) => {
    emit({ event: 'start', file, suite, name });
    try {
      await handler(context);
    } catch (err) {
      emit({ event: 'fail', file, suite, name, error: describe(err) });
      throw err;
    }
    emit({ event: 'pass', file, suite, name });
  };
}

/** uvu's suite `s`, with the tests registered through it observed. */
function wrap<T extends Register & { only: Register }>(s: T, suite: string): T {
  const observed = ((name: string, handler: Handler) => s(name, observe(currentFile(), suite, name, handler))) as T;
  Object.assign(observed, s);
  observed.only = (name: string, handler: Handler) => s.only(name, observe(currentFile(), suite, name, handler));
  return observed;
}

export const test = wrap(uvu.test as unknown as Register & { only: Register }, '') as unknown as typeof uvu.test;

export function suite(...args: Parameters<typeof uvu.suite>): ReturnType<typeof uvu.suite> {
  return wrap(uvu.suite(...args) as unknown as Register & { only: Register }, args[0] ?? '') as unknown as ReturnType<
    typeof uvu.suite
  >;
}
