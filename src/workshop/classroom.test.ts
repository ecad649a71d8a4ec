// Tests of the GitHub Classroom workflow (docs/classroom.yml, docs/teaching.md): every
// step either uses one of a few well-known actions or runs commands that exist — npm
// scripts in package.json (and kept in a handout), executable files in the repository —
// with nothing else run through sudo or env. The file is read with a small reader for
// the part of YAML a workflow's steps use (no YAML package in the workshop).

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO } from './repo.ts';
import { CLASSROOM_WORKFLOW, DROPPED_SCRIPTS } from './workflow/handout.ts';

interface Step {
  uses?: string;
  run?: string;
}

/** The steps of a workflow file: each `- ` item under `steps:`, with its uses and run (inline or a `|` block). */
function stepsOf(yaml: string): Step[] {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => /^\s*steps:\s*$/.test(l));
  if (start < 0) return [];
  const steps: Step[] = [];
  let itemIndent = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const item = /^(\s*)- (.*)$/.exec(line);
    if (itemIndent < 0 && item) itemIndent = indent;
    if (indent < itemIndent) break; // out of the steps list
    let body = line.trim();
    if (item && indent === itemIndent) {
      steps.push({});
      body = item[2]!.trim();
    }
    const kv = /^(uses|run):\s*(.*)$/.exec(body);
    if (!kv || !steps.length) continue;
    const step = steps.at(-1)!;
    if (kv[1] === 'uses') step.uses = kv[2]!.trim();
    else if (/^[|>][-+]?$/.test(kv[2]!.trim())) {
      const block: string[] = [];
      for (
        let j = i + 1;
        j < lines.length && (!lines[j]!.trim() || lines[j]!.length - lines[j]!.trimStart().length > indent);
        j++
      )
        block.push(lines[j]!.trim());
      step.run = block.join('\n').trim();
    } else step.run = kv[2]!.trim();
  }
  return steps;
}

/** The words of one shell command, quotes removed (enough for the workflow's commands). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** What a `run:` runs: each command with sudo, its options and env's assignments taken off; redirections dropped. */
function commandsOf(run: string): string[][] {
  return run
    .split(/\n|&&|\|\||;|\|/)
    .map((c) => c.replace(/\s[12]?>>?\s*\S+/g, ' ').trim())
    .filter(Boolean)
    .map((c) => {
      let w = words(c);
      if (w[0] === 'sudo')
        w = w.slice(1).filter((x, i, all) => !(x.startsWith('-') && all.slice(0, i).every((y) => y.startsWith('-'))));
      if (w[0] === 'env') {
        w = w.slice(1);
        while (w[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0])) w = w.slice(1);
      }
      return w;
    });
}

const ACTIONS = /^actions\/(checkout|setup-node|upload-artifact)@v\d+$/;

/** Why each step of the workflow would not work here (none: it is fine). */
function problems(yaml: string, root: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const out: string[] = [];
  const steps = stepsOf(yaml);
  if (steps.length === 0) out.push('no steps found');
  for (const [n, s] of steps.entries()) {
    if ((s.uses === undefined) === (s.run === undefined)) out.push(`step ${n + 1}: needs exactly one of uses and run`);
    if (s.uses !== undefined && !ACTIONS.test(s.uses))
      out.push(`step ${n + 1}: uses ${s.uses}, not one of checkout, setup-node, upload-artifact`);
    for (const w of s.run === undefined ? [] : commandsOf(s.run)) {
      const [cmd, ...rest] = w;
      if (cmd === 'npm') {
        const args = rest.filter((a) => a !== '--silent');
        const script = args[1];
        if (args[0] !== 'run' || !script) out.push(`step ${n + 1}: npm ${rest.join(' ')} is not an npm script of ours`);
        else if (!(script in pkg.scripts))
          out.push(`step ${n + 1}: npm run ${script}: package.json has no such script`);
        else if (DROPPED_SCRIPTS.includes(script))
          out.push(`step ${n + 1}: npm run ${script}: a handout has no such script`);
      } else if (cmd && (cmd.startsWith('./') || cmd.startsWith('src/'))) {
        const file = path.join(root, cmd);
        if (!fs.existsSync(file)) out.push(`step ${n + 1}: ${cmd} does not exist`);
        else if (!(fs.statSync(file).mode & 0o111)) out.push(`step ${n + 1}: ${cmd} is not executable`);
      } else out.push(`step ${n + 1}: runs ${cmd ?? 'nothing'}, which is not one of our scripts`);
    }
  }
  return out;
}

test('the workflow reader finds each step, inline and block runs, and what they run', () => {
  const yaml = `jobs:
  grade:
    steps:
      - uses: actions/checkout@v4
      - name: two commands
        run: |
          sudo -E env "PATH=$PATH" npm run --silent grade -- --json > grade.json
          ./src/workshop/quickstart.sh --no-run && echo done
      - run: npm test
    outputs: none
`;
  const steps = stepsOf(yaml);
  assert.equal(
    steps.map((s) => Object.keys(s)),
    [['uses'], ['run'], ['run']],
  );
  assert.equal(commandsOf(steps[1]!.run!), [
    ['npm', 'run', '--silent', 'grade', '--', '--json'],
    ['./src/workshop/quickstart.sh', '--no-run'],
    ['echo', 'done'],
  ]);
  const found = problems(yaml, REPO);
  assert.equal(
    found,
    ['step 2: runs echo, which is not one of our scripts', 'step 3: npm test is not an npm script of ours'],
    found.join('\n'),
  );
});

test('docs/classroom.yml runs only our own scripts, all of which exist here and in a handout', () => {
  const yaml = fs.readFileSync(path.join(REPO, CLASSROOM_WORKFLOW), 'utf8');
  assert.equal(problems(yaml, REPO), []);
  const runs = stepsOf(yaml).flatMap((s) => (s.run ? commandsOf(s.run) : []));
  assert.ok(
    runs.some((w) => w.includes('grade') && w.includes('--json')),
    'the workflow grades with --json',
  );
  assert.ok(
    runs.some((w) => w[0] === './src/workshop/quickstart.sh' && w.includes('--no-run')),
    'the workflow installs with quickstart.sh --no-run',
  );
  // A misspelt script is caught.
  assert.equal(problems(yaml.replace('run --silent grade', 'run --silent grades'), REPO), [
    'step 5: npm run grades: package.json has no such script',
  ]);
});

test.run();
