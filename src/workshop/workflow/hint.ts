// `npm run hint <tag> [step]`: the chapter's hints, chapters/<tag>-<slug>/hints.md.
// Machinery. hints.md has one `## <step>` section per exercise region (the heading starts
// with the marker's text), each with numbered hints that go from the idea, to the man
// page, to nearly the code — read only as far as you need.
//
//   npm run hint 3.1          every step's hints
//   npm run hint 3.1 -- 2     only the second step's
//   npm run hint 3.1 -- proc  only the steps whose heading mentions "proc"

import fs from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import {
  chapterFolder,
  chapterOf,
  isMain,
  rel,
  runScript,
  USAGE,
  WORKSPACE,
  WorkflowError,
  type Workspace,
} from './common.ts';

export interface HintSection {
  /** The heading without "## ". */
  heading: string;
  /** The section's lines after the heading. */
  body: string;
}

/** Split hints.md into its title part and its `## ` sections. */
export function parseHints(text: string): { intro: string; sections: HintSection[] } {
  const sections: HintSection[] = [];
  const intro: string[] = [];
  let cur: { heading: string; lines: string[] } | undefined;
  const close = () => cur && sections.push({ heading: cur.heading, body: cur.lines.join('\n').trim() });
  for (const line of text.split('\n')) {
    const m = /^## +(.*)$/.exec(line);
    if (m) {
      close();
      cur = { heading: m[1]!.trim(), lines: [] };
    } else if (cur) cur.lines.push(line);
    else intro.push(line);
  }
  close();
  return { intro: intro.join('\n').trim(), sections };
}

export function hintsPath(tag: string, ws: Workspace = WORKSPACE): string {
  return path.join(chapterFolder(chapterOf(tag, 'hint', ws), ws), 'hints.md');
}

/** The number of the hint section for `step` (as `npm run hint <tag> -- N` takes it), if there is one. */
export function hintFor(tag: string, step: string, ws: Workspace = WORKSPACE): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(hintsPath(tag, ws), 'utf8');
  } catch {
    return undefined;
  }
  const i = parseHints(text).sections.findIndex((s) => s.heading.startsWith(step));
  return i < 0 ? undefined : i + 1;
}

function show(s: HintSection, n: number): string {
  return `${chalk.bold(`Step ${n}: ${s.heading}`)}\n\n${s.body}\n`;
}

export function main(argv: string[], ws: Workspace = WORKSPACE): number {
  const [tag, ...which] = argv;
  const chapter = chapterOf(tag, 'hint', ws);
  const file = hintsPath(chapter.tag, ws);
  if (!fs.existsSync(file)) {
    throw new WorkflowError(
      `chapter ${chapter.tag} has no hints yet; the lesson is ${rel(path.join(path.dirname(file), 'README.md'), ws)}`,
    );
  }
  const { intro, sections } = parseHints(fs.readFileSync(file, 'utf8'));
  let chosen = sections.map((s, i) => ({ s, n: i + 1 }));
  const query = which.join(' ').trim();
  if (/^\d+$/.test(query)) {
    const n = Number(query);
    if (n < 1 || n > sections.length)
      throw new WorkflowError(`chapter ${chapter.tag} has steps 1 to ${sections.length}`, USAGE);
    chosen = chosen.filter((c) => c.n === n);
  } else if (query) {
    chosen = chosen.filter((c) => c.s.heading.toLowerCase().includes(query.toLowerCase()));
    if (chosen.length === 0) {
      const list = sections.map((s, i) => `  ${i + 1}. ${s.heading}`).join('\n');
      throw new WorkflowError(`no step of chapter ${chapter.tag} mentions "${query}"; the steps are:\n${list}`, USAGE);
    }
  }
  const [first = '', ...more] = intro.split('\n');
  const title = first.replace(/^# +/, '') || `Hints for chapter ${chapter.tag}`;
  process.stdout.write(`${chalk.bold.underline(title)}  ${chalk.dim(`(${rel(file, ws)})`)}\n`);
  const text = more.join('\n').trim();
  process.stdout.write(text ? `\n${text}\n\n` : '\n');
  process.stdout.write(chosen.map((c) => show(c.s, c.n)).join('\n'));
  if (!query && sections.length > 1)
    process.stdout.write(chalk.dim(`\nOnly one step: npm run hint ${chapter.tag} -- <number>\n`));
  return 0;
}

if (isMain(import.meta.url)) await runScript(() => main(process.argv.slice(2)));
