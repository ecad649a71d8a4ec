// Unit tests of the flag parser every stage uses.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlags, flagHelp, type FlagSpec } from './flags.ts';

const SPECS: FlagSpec[] = [
  { name: 'tty', aliases: ['t'], kind: 'bool', help: 'tty' },
  { name: 'interactive', aliases: ['i'], kind: 'bool', help: 'stdin' },
  { name: 'memory', aliases: ['m'], kind: 'string', help: 'memory', value: 'SIZE' },
  { name: 'cpu-shares', aliases: ['cpushare'], kind: 'string', help: 'cpu' },
  { name: 'volume', aliases: ['v'], kind: 'list', help: 'volume' },
];

test('grouped short bools, values in every spelling, repeatable lists', () => {
  const { flags, rest } = parseFlags(
    ['-ti', '-m', '100m', '--cpu-shares=512', '-v', '/a:/a', '--volume', '/b:/b', 'sh', '-c', 'ls -l'],
    SPECS,
  );
  assert.equal(flags, {
    tty: true,
    interactive: true,
    memory: '100m',
    'cpu-shares': '512',
    volume: ['/a:/a', '/b:/b'],
  });
  assert.equal(rest, ['sh', '-c', 'ls -l']);
});

test("the book's single-dash long names and attached short values", () => {
  assert.equal(parseFlags(['-cpushare', '256', '-m64m', 'true'], SPECS).flags, {
    'cpu-shares': '256',
    memory: '64m',
    volume: [],
  });
});

test('parsing stops at the command: its own flags are left alone', () => {
  const { flags, rest } = parseFlags(['-t', 'ls', '-m', '-ti'], SPECS);
  assert.equal(flags, { tty: true, volume: [] });
  assert.equal(rest, ['ls', '-m', '-ti']);
  assert.equal(parseFlags(['--', '-not-a-flag'], SPECS).rest, ['-not-a-flag']);
});

test('errors name the flag', () => {
  assert.throws(() => parseFlags(['--nope', 'sh'], SPECS), /unknown flag: --nope/);
  assert.throws(() => parseFlags(['-m'], SPECS), /--memory needs a value \(SIZE\)/);
  assert.throws(() => parseFlags(['--tty=yes', 'sh'], SPECS), /--tty takes no value/);
  assert.throws(() => parseFlags(['-tx', 'sh'], SPECS), /unknown flag: -tx/);
});

test('help lists every flag with its spellings', () => {
  const help = flagHelp(SPECS);
  assert.match(help, /-m, --memory SIZE\s+memory/);
  assert.match(help, /-v, --volume\s+volume \(repeatable\)/);
  assert.match(help, /--cpu-shares\s+cpu \(also --cpushare\)/);
});

test.run();
