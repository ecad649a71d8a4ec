// typedoc configuration for `npm run docs` (machinery). The site holds the chapter
// guides as documents, in book order, then the hand-written docs, the README as its
// home page, and the API of every stage (solutions/*) and of what the stages are built
// on (src/runtime). The workshop's tools and the test machinery are not part of it.
import fs from 'node:fs';

// Chapter folders are named <tag>-<slug>; sort them by tag as numbers (3.10 after 3.9).
const byTag = (a, b) => {
  const [a1, a2] = a.split('-')[0].split('.').map(Number);
  const [b1, b2] = b.split('-')[0].split('.').map(Number);
  return a1 - b1 || a2 - b2;
};
const guides = fs
  .readdirSync('chapters')
  .filter((d) => fs.existsSync(`chapters/${d}/README.md`))
  .sort(byTag)
  .map((d) => `chapters/${d}/README.md`);
const docs = ['setup', 'troubleshooting', 'architecture', 'security', 'performance', 'teaching']
  .map((d) => `docs/${d}.md`)
  .filter((f) => fs.existsSync(f));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'mydocker-ts',
  entryPointStrategy: 'expand',
  entryPoints: ['solutions', 'src/runtime'],
  exclude: ['**/*.test.ts'],
  projectDocuments: [...guides, ...docs],
  sortEntryPoints: false,
  readme: 'README.md',
  out: 'docs/site',
  excludePrivate: true,
  disableSources: true,
  skipErrorChecking: true,
  validation: { notExported: false, invalidLink: true },
};
