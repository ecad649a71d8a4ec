// The chapter registry: every stage of the workshop, in book order.
// Machinery (no chapter teaches it): the runner, verify, the exercise generator and
// the test harness all read this one list.

export interface Chapter {
  /** The book's chapter number, e.g. "4.3"; also the folder name under solutions/ and exercises/. */
  tag: string;
  /** Short name used in the chapters/<tag>-<slug>/ folder. */
  slug: string;
  /** Title as the book gives it. */
  title: string;
}

export const CHAPTERS: readonly Chapter[] = [
  { tag: '3.1', slug: 'namespaces', title: 'Run: a command in new namespaces' },
  { tag: '3.2', slug: 'cgroups', title: 'Resource limits with cgroups' },
  { tag: '3.3', slug: 'pipe', title: 'Passing the command through a pipe' },
  { tag: '4.1', slug: 'pivot-root', title: 'A busybox root with pivot_root' },
  { tag: '4.2', slug: 'overlayfs', title: 'Layers with a union filesystem (overlayfs)' },
  { tag: '4.3', slug: 'volumes', title: 'Volumes that outlive the container' },
  { tag: '4.4', slug: 'commit', title: 'Saving a container as an image (commit)' },
  { tag: '5.1', slug: 'detach', title: 'Detached containers (run -d)' },
  { tag: '5.2', slug: 'ps', title: 'Container names, state and ps' },
  { tag: '5.3', slug: 'logs', title: "A detached container's logs" },
  { tag: '5.4', slug: 'exec', title: 'Entering a running container (exec)' },
  { tag: '5.5', slug: 'stop', title: 'Stopping a container (stop)' },
  { tag: '5.6', slug: 'rm', title: 'Removing a container (rm)' },
  { tag: '5.7', slug: 'images', title: 'Running a container from any image' },
  { tag: '5.8', slug: 'env', title: 'Environment variables (-e)' },
  { tag: '5.9', slug: 'terminal', title: "A terminal of the container's own (-t)" },
  { tag: '6.1', slug: 'ipam', title: 'IP address management (IPAM)' },
  { tag: '6.2', slug: 'bridge', title: 'Bridge networks (network create, ls, rm)' },
  { tag: '6.3', slug: 'veth', title: 'Connecting containers to a network (run --net)' },
  { tag: '6.4', slug: 'ports', title: 'Publishing ports (-p)' },
];

/** The chapter with this tag, in `chapters` (the registry, or a test's fixture list). */
export function findChapter(tag: string, chapters: readonly Chapter[] = CHAPTERS): Chapter | undefined {
  return chapters.find((c) => c.tag === tag);
}

/** The chapter folder, relative to the repository root: chapters/4.3-volumes */
export function chapterDir(c: Chapter): string {
  return `chapters/${c.tag}-${c.slug}`;
}

/** Chapters from `tag` on (a stage must keep every earlier lesson working). */
export function chaptersFrom(tag: string, chapters: readonly Chapter[] = CHAPTERS): Chapter[] {
  const i = chapters.findIndex((c) => c.tag === tag);
  return i < 0 ? [] : chapters.slice(i);
}

/** Chapters before `tag`, in book order. */
export function chaptersBefore(tag: string, chapters: readonly Chapter[] = CHAPTERS): Chapter[] {
  const i = chapters.findIndex((c) => c.tag === tag);
  return i < 0 ? [] : chapters.slice(0, i);
}
