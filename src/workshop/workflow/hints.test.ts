// Tests that keep hints.md in step with the exercises: every chapter that has a
// hints.md has one `## ` section per exercise region of its solution, whose heading
// starts with the region's marker text — the text `npm run verify` prints for a TODO —
// so `npm run hint <tag> -- <n>` and verify's pointer find the right step.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAPTERS, chapterDir } from '../chapters.ts';
import { listFiles, REPO } from './common.ts';
import { CODE_FILE, findRegions } from './generate.ts';
import { hintFor, main as hintMain, parseHints } from './hint.ts';
import { capture } from './test-helpers.ts';

function steps(tag: string): string[] {
  const dir = path.join(REPO, 'solutions', tag);
  return listFiles(dir)
    .filter((f) => CODE_FILE.test(f))
    .flatMap((f) =>
      findRegions(fs.readFileSync(path.join(dir, f), 'utf8'), `solutions/${tag}/${f}`).map((r) => r.step),
    );
}

const withHints = CHAPTERS.filter(
  (c) =>
    fs.existsSync(path.join(REPO, chapterDir(c), 'hints.md')) && fs.existsSync(path.join(REPO, 'solutions', c.tag)),
);

test('chapter 3.1 has hints', () => {
  assert.ok(withHints.some((c) => c.tag === '3.1'));
});

for (const c of withHints) {
  test(`${c.tag}: one hint section per exercise step, headed by the step's text`, () => {
    const { sections } = parseHints(fs.readFileSync(path.join(REPO, chapterDir(c), 'hints.md'), 'utf8'));
    const headings = sections.map((s) => s.heading);
    for (const step of steps(c.tag)) {
      assert.is(
        headings.filter((h) => h.startsWith(step)).length,
        1,
        `no (or more than one) "## ${step}" section in ${chapterDir(c)}/hints.md`,
      );
    }
    for (const h of headings)
      assert.ok(
        steps(c.tag).some((s) => h.startsWith(s)),
        `"## ${h}" is not a step of solutions/${c.tag}`,
      );
    for (const s of sections)
      assert.match(s.body, /^1\. [\s\S]*\n2\. [\s\S]*\n3\. /m, `"${s.heading}": three numbered hints`);
  });
}

test('npm run hint 3.1 -- N prints only step N; hintFor finds a step by its text', async () => {
  const one = await capture(() => hintMain(['3.1', '3']));
  assert.match(one.stdout, /Step 3: enter the new namespaces/);
  assert.not.match(one.stdout, /Step [1245]:/);
  assert.is(hintFor('3.1', 'enter the new namespaces'), 3);
  assert.is(hintFor('3.1', 'no such step'), undefined);
  assert.throws(() => hintMain(['3.1', '99']), /steps 1 to 5/);
});

test.run();
