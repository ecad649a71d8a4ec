// The docs site: `npm run docs` builds it with typedoc; this test builds it into a
// temporary folder, checks that every chapter guide and every stage's API pages are
// there, that no link between pages is broken, and opens pages in headless Chromium
// (Debian's chromium, installed by .ci/run) to see that they render.
//
// Screenshots for review: MYDOCKER_SCREENSHOTS=/some/dir npm test -- --unit
// writes a PNG of the home page, a chapter guide and an API page there.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAPTERS, chapterDir, findChapter } from './chapters.ts';
import { REPO } from '../testing/harness.ts';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-docs-'));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
  fs.existsSync(p),
);

test.after(() => fs.rmSync(out, { recursive: true, force: true }));

/** Every .html file of the site, relative to its root. */
function pages(): string[] {
  return (fs.readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith('.html'));
}

/** The chapter's title as its guide's frontmatter gives it (the site's page title). */
function guideTitle(tag: string): string {
  const c = findChapter(tag)!;
  const text = fs.readFileSync(path.join(REPO, chapterDir(c), 'README.md'), 'utf8');
  const m = /^---\n[^]*?^title:\s*"?(.+?)"?\s*$[^]*?^---$/m.exec(text);
  assert.ok(m, `${chapterDir(c)}/README.md has no frontmatter title`);
  return m![1]!;
}

/** The site's page of the chapter's guide (relative to the site's root), found by its title. */
function guidePage(tag: string): string | undefined {
  const html = guideTitle(tag)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  return pages().find(
    (p) => p.startsWith('documents/') && fs.readFileSync(path.join(out, p), 'utf8').includes(`<title>${html} |`),
  );
}

/**
 * What is wrong with the picture of the chapter's guide on the built site ([] if nothing):
 * its page must show an <img> with alt text whose file the site holds, and that file must
 * be an SVG (well-formed XML, checked by the element nesting) with a <title>.
 */
function guidePictureProblems(tag: string): string[] {
  const page = guidePage(tag);
  if (!page) return [`${tag}: no page for its guide`];
  const html = fs.readFileSync(path.join(out, page), 'utf8');
  const svgs = [...html.matchAll(/<img\b[^>]*>/g)]
    .map(([img]) => ({ src: /\bsrc="([^"]+)"/.exec(img)?.[1], alt: /\balt="([^"]*)"/.exec(img)?.[1] }))
    .filter((i) => i.src && /\.svg$/i.test(i.src) && !/^[a-z]+:/i.test(i.src));
  if (svgs.length === 0) return [`${tag}: ${page} shows no SVG picture (no <img src="….svg">)`];
  const problems: string[] = [];
  for (const { src, alt } of svgs) {
    const file = path.resolve(path.dirname(path.join(out, page)), decodeURIComponent(src!));
    if (!alt?.trim()) problems.push(`${tag}: the picture ${src} has no alt text`);
    if (!fs.existsSync(file)) {
      problems.push(`${tag}: the picture ${src} is not in the site (looked for ${file})`);
      continue;
    }
    const error = svgProblem(fs.readFileSync(file, 'utf8'));
    if (error) problems.push(`${tag}: the picture ${src}: ${error}`);
  }
  return problems;
}

/** Why `text` is not a well-formed SVG with a <title> (undefined if it is one). */
function svgProblem(text: string): string | undefined {
  const body = text.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?/, '').replace(/<!--[^]*?-->/g, '');
  if (!/^<svg[\s>]/.test(body)) return 'does not start with <svg';
  if (!/<svg\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(body)) return 'its <svg> has no SVG xmlns';
  // Every element is closed, in order: a browser shows nothing of an SVG that is not XML.
  const open: string[] = [];
  for (const [tag, close, name, selfClosing] of body.matchAll(
    /<(\/?)([A-Za-z][\w:.-]*)(?:"[^"]*"|'[^']*'|[^'">])*?(\/?)>/g,
  )) {
    if (selfClosing) continue;
    if (!close) open.push(name!);
    else if (open.at(-1) !== name) return `${tag} closes <${open.at(-1)}>, which is still open`;
    else open.pop();
  }
  if (open.length) return `<${open.join('>, <')}> never closed`;
  const stray = body
    .replace(/<(?:"[^"]*"|'[^']*'|[^'">])*>/g, '')
    .match(/[<>]|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-f]+);)/i);
  if (stray) return `a stray '${stray[0]}' outside a tag (write &lt; &gt; &amp;)`;
  const title = /<svg\b[^>]*>\s*<title\b[^>]*>([^<]+)<\/title>/.exec(body);
  if (!title?.[1]!.trim()) return 'has no <title> as its first child';
  return undefined;
}

function chromium(args: string[]): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mydocker-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Let the page's scripts run (the navigation is built by them) before the dump.
        '--virtual-time-budget=5000',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    assert.is(r.status, 0, `chromium failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

test('typedoc builds the site without errors', () => {
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, 'node_modules/typedoc/bin/typedoc'), '--out', out, '--json', path.join(out, 'project.json')],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.not.match(r.stdout + r.stderr, /\[error\]/);
  assert.ok(fs.existsSync(path.join(out, 'index.html')));
});

/** Chapters whose guide exists (the site takes every chapters/<dir>/README.md). */
const guided = CHAPTERS.filter((c) => fs.existsSync(path.join(REPO, chapterDir(c), 'README.md')));

test('every chapter has its guide', () => {
  const missing = CHAPTERS.filter((c) => !guided.includes(c)).map((c) => `${chapterDir(c)}/README.md`);
  assert.equal(missing, [], 'missing guides');
});

test('every chapter guide is a page of the site, in book order', () => {
  const titles = guided.map((c) => guideTitle(c.tag));
  for (const [i, title] of titles.entries()) {
    const html = title
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
    const page = pages().find(
      (p) => p.startsWith('documents/') && fs.readFileSync(path.join(out, p), 'utf8').includes(`<title>${html} |`),
    );
    assert.ok(page, `no page for the ${guided[i]!.tag} guide ("${title}")`);
  }
  // The site's documents (its navigation) list the guides in book order, before the other docs.
  const project = JSON.parse(fs.readFileSync(path.join(out, 'project.json'), 'utf8'));
  const documents: string[] = project.documents.map((d: { name: string }) => d.name);
  assert.equal(documents.slice(0, titles.length), titles);
});

test('every hand-written doc is a page of the site, the teacher’s notes too', () => {
  const project = JSON.parse(fs.readFileSync(path.join(out, 'project.json'), 'utf8'));
  const documents: string[] = project.documents.map((d: { name: string }) => d.name);
  for (const file of fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md'))) {
    const title = /^title:\s*"?(.+?)"?\s*$/m.exec(fs.readFileSync(path.join(REPO, 'docs', file), 'utf8'))?.[1];
    assert.ok(title && documents.includes(title), `docs/${file} ("${title}") is not a page of the site`);
  }
});

test('every chapter guide shows its picture, an SVG the site holds', () => {
  const problems = guided.flatMap((c) => guidePictureProblems(c.tag));
  assert.equal(problems, [], `pictures:\n${problems.join('\n')}`);
});

test("every stage's API is documented", () => {
  const modules = pages().filter((p) => p.startsWith('modules/'));
  for (const c of CHAPTERS) {
    const prefix = `modules/solutions_${c.tag}_`;
    assert.ok(
      modules.some((m) => m.startsWith(prefix)),
      `no API pages for solutions/${c.tag} (looked for ${prefix}*)`,
    );
  }
});

test('no link between pages is broken', () => {
  const broken: string[] = [];
  for (const p of pages()) {
    const html = fs.readFileSync(path.join(out, p), 'utf8');
    for (const [, href] of html.matchAll(/href="([^"#?]+)[^"]*"/g)) {
      if (/^[a-z]+:/i.test(href!) || href!.startsWith('//')) continue; // external
      const target = path.resolve(path.dirname(path.join(out, p)), decodeURIComponent(href!));
      if (!fs.existsSync(target)) broken.push(`${p} → ${href}`);
    }
  }
  assert.equal(broken, [], `broken links:\n${broken.join('\n')}`);
});

test('the pages render in headless Chromium', () => {
  if (!CHROMIUM) {
    // Never pass silently: CI installs chromium (.ci/run); elsewhere say how.
    assert.unreachable('Chromium is not installed: apt-get install chromium (Debian) to run the docs rendering check');
  }
  const guide = pages().find((p) => p.startsWith('documents/'))!;
  const api = pages().find((p) => p.startsWith('modules/'))!;
  for (const p of ['index.html', guide, api]) {
    const dom = chromium(['--dump-dom', `file://${path.join(out, p)}`]);
    assert.match(dom, /mydocker-ts/, `${p} did not render the site`);
    assert.match(dom, /<nav|class="tsd-navigation/, `${p} has no navigation`);
  }
  const shots = process.env.MYDOCKER_SCREENSHOTS;
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    for (const [name, p] of [
      ['home', 'index.html'],
      ['guide', guide],
      ['api', api],
    ] as const) {
      chromium([
        `--screenshot=${path.join(shots, `${name}.png`)}`,
        '--window-size=1280,1000',
        `file://${path.join(out, p)}`,
      ]);
      // A blank 1280×1000 page compresses to a few kB; a rendered one is far larger.
      assert.ok(fs.statSync(path.join(shots, `${name}.png`)).size > 30_000, `blank screenshot of ${p}`);
    }
  }
});

test.run();
