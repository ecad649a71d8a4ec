// What the workflow asks git, and the one hash it shares with git. Machinery: the
// generator and `reset` must tell a learner's edits (worth keeping) from a file that is
// only out of date. A file whose content is the one committed at HEAD is safe to
// replace — git still has it. Comparing git's blob hashes needs one `git ls-tree` call
// instead of a `git show` per file.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';

/** git's object id of a blob with this content: sha1("blob <size>\0" + content). */
export function blobId(content: string | Buffer): string {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return crypto.createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export interface HeadFiles {
  /** path relative to the repository root → blob id at HEAD */
  blobs: Map<string, string>;
  /** Why HEAD could not be read (not a git checkout, no commit yet, no git): then `blobs` is empty. */
  problem?: string;
}

/** The files under `prefix` (e.g. "exercises") as committed at HEAD in the repository at `root`. */
export function headFiles(root: string, prefix: string): HeadFiles {
  const r = spawnSync('git', ['-C', root, 'ls-tree', '-r', '-z', 'HEAD', '--', prefix], { encoding: 'utf8' });
  if (r.error) return { blobs: new Map(), problem: `git: ${r.error.message}` };
  if (r.status !== 0)
    return { blobs: new Map(), problem: (r.stderr.trim().split('\n')[0] ?? '') || `git ls-tree exited ${r.status}` };
  const blobs = new Map<string, string>();
  for (const entry of r.stdout.split('\0')) {
    // "<mode> blob <id>\t<path>"
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (m) blobs.set(m[2]!, m[1]!);
  }
  return { blobs };
}
