// Unit tests of the CLI entry (machinery): `mydocker COMMAND --help` works for every
// command of the final stage, shows its flags, and runs nothing.

import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleStage } from '../workshop/bundle.ts';
import { CHAPTERS } from '../workshop/chapters.ts';
import { REPO } from './harness.ts';

const bundle = bundleStage(`${REPO}/solutions/${CHAPTERS.at(-1)!.tag}`);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MYDOCKER_ROOT: '/nonexistent/mydocker-help-test' },
  });

const listed = cli('--help')
  .stdout.split('\n')
  .map((l) => /^ {2}(\S+) {2,}/.exec(l)?.[1])
  .filter((n): n is string => !!n);

test('the command list is read from --help', () => {
  assert.ok(listed.includes('run') && listed.includes('rm') && listed.length >= 10, listed.join(' '));
});

test('every command answers --help with exit 0 and its own text', () => {
  for (const name of listed) {
    const r = cli(name, '--help');
    assert.is(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.is(r.stderr, '', `${name} --help wrote to stderr`);
    assert.ok(r.stdout.trim().length > 10, `${name} --help printed nothing`);
  }
});

test('--help lists the flags of a command that has some', () => {
  for (const [name, flag] of [
    ['run', '--volume'],
    ['logs', '--follow'],
    ['exec', '--interactive'],
    ['stop', '--time'],
    ['rm', '--force'],
  ]) {
    assert.match(cli(name!, '--help').stdout, flag!, `${name} --help`);
  }
});

test.run();
