// Unit tests of `npm test`'s job list (machinery): which chapter runs on which stage.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAPTERS } from '../workshop/chapters.ts';
import { chapterJobs } from './test-all.ts';

const final = CHAPTERS.at(-1)!.tag;
const pairs = (jobs: { label: string }[]) =>
  jobs.map((j) => /^(\S+) tests on solutions\/(\S+)$/.exec(j.label)!.slice(1).join('@'));

test('by default each chapter runs on its own stage and on the final stage, once each', () => {
  const got = pairs(chapterJobs('solutions'));
  const want = CHAPTERS.flatMap((c) =>
    c.tag === final ? [`${c.tag}@${c.tag}`] : [`${c.tag}@${c.tag}`, `${c.tag}@${final}`],
  );
  assert.equal(got, want);
});

test('--full runs each chapter on every stage from it on', () => {
  const got = pairs(chapterJobs('solutions', undefined, undefined, true));
  const n = CHAPTERS.length;
  assert.is(got.length, (n * (n + 1)) / 2);
  assert.ok(got.includes('3.1@4.2') && got.includes('4.3@5.1'));
  assert.not.ok(
    got.some((p) => {
      const [c, s] = p.split('@').map(Number);
      return s! < c!;
    }),
    'a chapter ran on an earlier stage',
  );
});

test('one chapter, and one stage', () => {
  assert.equal(pairs(chapterJobs('solutions', '4.3')), ['4.3@4.3', `4.3@${final}`]);
  assert.equal(pairs(chapterJobs('solutions', undefined, '4.1')), ['3.1@4.1', '3.2@4.1', '3.3@4.1', '4.1@4.1']);
});

test.run();
