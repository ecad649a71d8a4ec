// Helpers for the tests of chapters 6.2 on (not a test file itself): each test runs the
// stage's CLI inside a network sandbox of its own (src/testing/netns.ts), which plays the
// host, and checks afterwards that the machine's own links and iptables rules are as
// they were. Nothing a test does reaches the machine's real network.

import * as assert from 'uvu/assert';
import { perTest, type Result } from '../../src/testing/harness.ts';
import {
  assertHostNetworkUnchanged,
  hostNetwork,
  openSandbox,
  sandboxLinks,
  sandboxRules,
  type NetSandbox,
} from '../../src/testing/netns.ts';
import { killAllContainers } from '../../src/testing/containers.ts';

type Suite = Parameters<typeof perTest>[0] & { after: { each(fn: () => void | Promise<void>): void } };

export function netTest(suite: Suite, tag: string) {
  let before: Awaited<ReturnType<typeof hostNetwork>>;
  const t = perTest(suite, tag, {
    afterEach: async (root) => {
      await killAllContainers(root);
      await n.box?.close();
      n.box = undefined;
      if (before) await assertHostNetworkUnchanged(before);
    },
  });
  const n = {
    t,
    box: undefined as NetSandbox | undefined,
    /** Open this test's sandbox (call first in the test). */
    open: async (): Promise<NetSandbox> => {
      before = await hostNetwork();
      n.box = await openSandbox();
      return n.box;
    },
    /** The stage's CLI, inside the sandbox. */
    mydocker: (args: string[], input?: string): Promise<Result> => n.box!.cli(t.stage, args, { root: t.root, input }),
    /** A shell command inside the sandbox; its stdout (fails the test if it fails). */
    sh: async (command: string): Promise<string> => {
      const r = await n.box!.sh(command);
      assert.is(r.exitCode, 0, `${command}: ${r.stderr}`);
      return r.stdout;
    },
    rules: () => sandboxRules(n.box!),
    links: () => sandboxLinks(n.box!),
    /**
     * The sandbox's links once they are `expected` (fails after 5 s). A veth whose other
     * end was in a namespace that just died goes a moment later: the kernel tears network
     * namespaces down in the background.
     */
    linksBecome: async (expected: string[], what = 'the links'): Promise<void> => {
      let last: string[] = [];
      const end = Date.now() + 5000;
      while (Date.now() < end) {
        last = await sandboxLinks(n.box!);
        if (JSON.stringify(last) === JSON.stringify(expected)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(last, expected, what);
    },
  };
  return n;
}

/** The exit code, with the CLI's stderr as the message when it differs. */
export const expectCode = (r: Result, code: number, what = '') =>
  assert.is(r.code, code, `${what}${what ? ': ' : ''}${r.stderr}`);
