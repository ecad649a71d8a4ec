// Tests of `npm run doctor` (src/workshop/doctor.ts). Machinery.
//
// Two kinds: the real doctor on this machine, whose answers are checked against what
// the test finds out for itself (from /proc, /sys, findmnt, ldd — never hardcoded, so
// the same tests hold on a cgroup v2 laptop and a v1 CI machine); and single checks
// pointed at fake /proc files, mountinfo, cgroup trees and ELF files in a temp dir.
//
//   node --import tsx src/workshop/doctor.test.ts

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './repo.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkBusybox,
  checkCgroupVersion,
  checkController,
  checkKernel,
  checkNode,
  checkNamespace,
  checkOverlay,
  checkRoot,
  checkRootPropagation,
  checkStateRootFs,
  checkTool,
  checkIpForward,
  checkForwardPolicy,
  distroFamily,
  exitCode,
  parseMountInfo,
  runChecks,
  type CheckResult,
} from './doctor.ts';

const TMP = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-test-')));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

function tmpFile(name: string, text: string | Buffer): string {
  const p = path.join(TMP, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function byId(results: CheckResult[], id: string): CheckResult {
  const r = results.find((x) => x.id === id);
  assert.ok(r, `no check with id ${id}`);
  return r!;
}

// ---- the real doctor on this machine ----

const real: CheckResult[] = runChecks();

/** What the test itself finds in /proc/self/mountinfo: [mount point, fs type, super options]. */
function mounts(): { mp: string; type: string; opts: string[] }[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [left, right] = l.split(' - ');
      const [type, , superOpts] = right.split(' ');
      return { mp: left.split(' ')[4], type, opts: superOpts.split(',') };
    });
}

test('npm run doctor -- --json: valid JSON, the same answers as runChecks(), exit code 1 exactly when something fails', () => {
  const r = spawnSync('npm', ['run', 'doctor', '--silent', '--', '--json'], { cwd: REPO, encoding: 'utf8' });
  assert.ok(r.stdout, `no output; stderr: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as {
    ok: boolean;
    host: string;
    kernel: string;
    stateRoot: string;
    checks: CheckResult[];
  };
  const anyFail = report.checks.some((c) => c.status === 'fail');
  assert.is(r.status, anyFail ? 1 : 0, r.stderr);
  assert.is(report.ok, !anyFail);
  assert.is(report.host, os.hostname());
  assert.is(report.stateRoot, path.resolve(process.env.MYDOCKER_ROOT || '/var/lib/mydocker'));
  assert.equal(
    report.checks.map((c) => [c.id, c.status]),
    real.map((c) => [c.id, c.status]),
  );
  for (const c of report.checks) {
    assert.ok(['ok', 'warn', 'fail'].includes(c.status), `${c.id}: status ${c.status}`);
    assert.ok(c.label, `${c.id}: no label`);
    if (c.status === 'fail') assert.ok(c.fix, `${c.id} fails without saying what to do`);
  }
});

test('npm run doctor prints one line per check, ok / ! / ✘, and the plain text has no JSON', () => {
  const r = spawnSync('npm', ['run', 'doctor', '--silent'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => /^(ok|!|✘) /.test(l));
  assert.is(lines.length, real.length, r.stdout);
  for (const [i, c] of real.entries()) {
    const mark = { ok: 'ok', warn: '!', fail: '✘' }[c.status];
    assert.ok(lines[i].startsWith(mark + ' '), `line ${i}: ${lines[i]} (expected ${c.status})`);
  }
});

test('root: as the test finds it', () => {
  const r = byId(real, 'root');
  if (process.getuid!() === 0) assert.is(r.status, 'ok');
  else {
    assert.is(r.status, 'fail');
    assert.match(r.fix!, 'sudo -E npm run doctor');
  }
});

test('kernel: the release uname -r gives', () => {
  const r = byId(real, 'kernel');
  assert.is(r.value, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
});

test('namespaces: one check per /proc/self/ns entry', () => {
  for (const ns of ['uts', 'pid', 'mnt', 'ipc', 'net', 'user', 'cgroup']) {
    const has = fs.existsSync(`/proc/self/ns/${ns}`);
    assert.is(byId(real, `ns.${ns}`).status === 'ok', has, ns);
  }
});

test('overlay: ok exactly when /proc/filesystems lists it', () => {
  const listed = /\boverlay$/m.test(fs.readFileSync('/proc/filesystems', 'utf8'));
  const r = byId(real, 'overlay');
  if (listed) assert.is(r.status, 'ok');
  else assert.is.not(r.status, 'ok');
});

test('cgroup version: v2 exactly when /sys/fs/cgroup/cgroup.controllers exists, hybrid named when cgroup2 is also mounted', () => {
  const expected = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1';
  const r = byId(real, 'cgroup.version');
  assert.is(r.value, expected);
  assert.is(r.status, 'ok');
  if (expected === 'v1') {
    const hybrid = mounts().some((m) => m.type === 'cgroup2' && m.mp.startsWith('/sys/fs/cgroup/'));
    assert.is(r.label.includes('hybrid'), hybrid, r.label);
  }
});

test('cgroup controllers: as mounted (v1) or listed (v2); memory and cpu are required', () => {
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  const listed = v2 ? fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(/\s+/) : [];
  const v1 = mounts().filter((m) => m.type === 'cgroup');
  for (const c of ['memory', 'cpu', 'cpuset', 'pids']) {
    const available = v2 ? listed.includes(c) : v1.some((m) => m.opts.includes(c));
    const r = byId(real, `cgroup.${c}`);
    const missing = ['memory', 'cpu'].includes(c) ? 'fail' : 'warn';
    assert.is(r.status, available ? 'ok' : missing, `${c}: ${r.label}`);
  }
});

test('busybox: ok with a binary ldd calls static, or a built image', () => {
  const r = byId(real, 'busybox');
  if (r.status === 'ok' && r.value !== 'image') {
    const out = spawnSync('ldd', [r.value!], { encoding: 'utf8' });
    assert.match(out.stdout + out.stderr, /not a dynamic executable|statically linked/);
  }
  if (r.status === 'fail') assert.match(r.fix!, /busybox/);
});

test('state root filesystem: the type findmnt reports, for the default root and a temporary one', () => {
  let dir = path.resolve(process.env.MYDOCKER_ROOT || '/var/lib/mydocker');
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  const findmnt = (p: string) =>
    execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', p], { encoding: 'utf8' }).trim().split('\n').pop();
  assert.is(byId(real, 'stateroot.fs').value, findmnt(dir));
  const root = path.join(TMP, 'state');
  const r = byId(runChecks({ stateRoot: root }), 'stateroot.fs');
  assert.is(r.value, findmnt(TMP));
  assert.match(r.label, root);
});

test('tools for later chapters: found where `command -v` finds them, and only ever a warning', () => {
  const PATH = `${process.env.PATH}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  for (const t of ['nsenter', 'setpriv', 'unshare', 'ip', 'iptables']) {
    const found = spawnSync('sh', ['-c', `command -v ${t}`], { env: { ...process.env, PATH } }).status === 0;
    assert.is(byId(real, `tool.${t}`).status, found ? 'ok' : 'warn', t);
  }
});

// ---- single checks on fake files ----

test('overlay: listed, a loadable module, or missing', () => {
  const noModules = path.join(TMP, 'modules-none');
  fs.mkdirSync(noModules, { recursive: true });
  const withOverlay = tmpFile('fs-yes', 'nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\toverlay\n');
  const without = tmpFile('fs-no', 'nodev\tsysfs\nnodev\ttmpfs\n\text4\n');
  assert.is(checkOverlay(withOverlay, noModules).status, 'ok');
  const missing = checkOverlay(without, noModules);
  assert.is(missing.status, 'fail');
  assert.match(missing.fix!, 'modprobe overlay');
  const modDir = path.join(TMP, 'modules-ovl');
  tmpFile('modules-ovl/modules.dep', 'kernel/fs/overlayfs/overlay.ko.xz:\nkernel/fs/fuse/fuse.ko.xz:\n');
  const loadable = checkOverlay(without, modDir);
  assert.is(loadable.status, 'warn');
  assert.match(loadable.fix!, 'modprobe overlay');
});

const ROOT_LINE = (fsType: string, optional = '') =>
  `26 1 254:0 / / rw,relatime ${optional ? optional + ' ' : ''}- ${fsType} /dev/vda rw`;

test('mountinfo parsing: optional fields, escaped spaces', () => {
  const m = parseMountInfo(
    `${ROOT_LINE('ext4', 'shared:1 master:2')}\n40 26 0:50 / /mnt/my\\040dir rw - tmpfs tmpfs rw,size=4k\n`,
  );
  assert.equal(m[0].optional, ['shared:1', 'master:2']);
  assert.is(m[0].fsType, 'ext4');
  assert.is(m[1].mountPoint, '/mnt/my dir');
  assert.is(m[1].superOptions, 'rw,size=4k');
});

test('/ propagation from a fake mountinfo: shared is fine and said so', () => {
  const shared = checkRootPropagation(tmpFile('mi-shared', ROOT_LINE('ext4', 'shared:1') + '\n'));
  assert.is(shared.status, 'ok');
  assert.is(shared.value, 'shared');
  assert.match(shared.label, 'private');
  assert.is(checkRootPropagation(tmpFile('mi-private', ROOT_LINE('ext4') + '\n')).value, 'private');
  assert.is(checkRootPropagation(tmpFile('mi-slave', ROOT_LINE('ext4', 'master:7') + '\n')).value, 'slave');
});

test('state root on overlayfs fails with the fix; on a tmpfs mounted above it, ok', () => {
  const root = path.join(TMP, 'not-yet', 'mydocker');
  const onOverlay = checkStateRootFs(root, tmpFile('mi-ovl', ROOT_LINE('overlay') + '\n'));
  assert.is(onOverlay.status, 'fail');
  assert.is(onOverlay.value, 'overlay');
  assert.match(onOverlay.fix!, 'MYDOCKER_ROOT');
  const tmpfsAbove = `${ROOT_LINE('overlay')}\n51 26 0:60 / ${TMP} rw - tmpfs tmpfs rw\n`;
  const ok = checkStateRootFs(root, tmpFile('mi-tmpfs', tmpfsAbove));
  assert.is(ok.status, 'ok');
  assert.is(ok.value, 'tmpfs');
  const nfs = checkStateRootFs(root, tmpFile('mi-nfs', ROOT_LINE('nfs4') + '\n'));
  assert.is(nfs.status, 'fail');
});

test('kernel versions: 5.11+ ok, older 5.x/4.x fail from chapter 3.3 (close_range), 3.x fails', () => {
  assert.is(checkKernel('6.1.0-18-amd64').status, 'ok');
  assert.is(checkKernel('5.11.0').status, 'ok');
  const k510 = checkKernel('5.10.0-28-amd64');
  assert.is(k510.status, 'fail');
  assert.is(k510.chapter, '3.3');
  assert.match(k510.label, 'close_range');
  assert.is(checkKernel('4.19.0').chapter, '3.3');
  assert.is(checkKernel('3.10.0-1160.el7.x86_64').chapter, '3.1');
});

test('node: 20.19 or newer (require of an ES module, for the lazily loaded chalk)', () => {
  for (const v of ['20.19.0', '20.20.2', '21.0.0', '22.1.0']) assert.is(checkNode(v).status, 'ok', v);
  for (const v of ['18.20.4', '20.0.0', '20.18.3']) {
    assert.is(checkNode(v).status, 'fail', v);
    assert.match(checkNode(v).fix!, '20.19');
  }
});

test('root: uid and CAP_SYS_ADMIN', () => {
  const user = checkRoot(1000);
  assert.is(user.status, 'fail');
  assert.match(user.fix!, 'sudo -E npm run doctor');
  assert.is(checkRoot(0, tmpFile('status-full', 'Name:\tnode\nCapEff:\t000001ffffffffff\n')).status, 'ok');
  const noAdmin = checkRoot(0, tmpFile('status-noadmin', 'Name:\tnode\nCapEff:\t00000000a80425fb\n'));
  assert.is(noAdmin.status, 'fail');
  assert.match(noAdmin.label, 'CAP_SYS_ADMIN');
});

test('namespaces: a missing required one fails, a missing later one warns', () => {
  const nsDir = path.join(TMP, 'ns');
  tmpFile('ns/uts', '');
  assert.is(checkNamespace('uts', true, nsDir).status, 'ok');
  assert.is(checkNamespace('net', true, nsDir).status, 'fail');
  assert.is(checkNamespace('user', false, nsDir).status, 'warn');
});

test('cgroup v2 fake tree: listed controllers ok, memory missing fails, pids missing warns', () => {
  const root = path.join(TMP, 'cg2');
  tmpFile('cg2/cgroup.controllers', 'cpuset cpu io\n');
  const procCgroups = tmpFile(
    'proc-cgroups',
    '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t0\t1\t1\nmemory\t0\t1\t0\npids\t0\t1\t1\n',
  );
  assert.is(checkCgroupVersion(root).value, 'v2');
  assert.is(checkController('cpu', true, root, procCgroups).status, 'ok');
  const mem = checkController('memory', true, root, procCgroups);
  assert.is(mem.status, 'fail');
  assert.match(mem.fix!, 'cgroup_disable=memory');
  assert.is(checkController('pids', false, root, procCgroups).status, 'warn');
});

test('cgroup v2 fake trees: the root of the tree and a delegated subtree are told apart, with the fix for each', () => {
  const top = path.join(TMP, 'cg2-top');
  tmpFile('cg2-top/cgroup.controllers', 'cpu pids\n');
  const sub = path.join(TMP, 'cg2-sub');
  tmpFile('cg2-sub/cgroup.controllers', 'pids\n');
  tmpFile('cg2-sub/cgroup.type', 'domain\n'); // every cgroup but the root has one
  const procCgroups = tmpFile('proc-cgroups-v2', 'cpu\t0\t1\t1\nmemory\t0\t1\t1\npids\t0\t1\t1\n');
  assert.match(checkCgroupVersion(top).label, /root of the tree/);
  assert.match(checkCgroupVersion(sub).label, /delegated subtree/);
  const memSub = checkController('memory', true, sub, procCgroups);
  assert.is(memSub.status, 'fail');
  assert.match(memSub.fix!, "write +memory to the parent's cgroup.subtree_control");
  assert.match(checkController('memory', true, top, procCgroups).fix!, 'troubleshooting');
});

test('cgroup v1 fake tree: a mounted hierarchy is ok, an unmounted one says how to mount it', () => {
  const root = path.join(TMP, 'cg1');
  tmpFile('cg1/memory/cgroup.procs', '');
  const procCgroups = tmpFile('proc-cgroups-v1', 'memory\t4\t1\t1\ncpu\t0\t1\t1\n');
  assert.is(checkCgroupVersion(root).value, 'v1');
  assert.is(checkController('memory', true, root, procCgroups).status, 'ok');
  const cpu = checkController('cpu', true, root, procCgroups);
  assert.is(cpu.status, 'fail');
  assert.match(cpu.fix!, `mount -t cgroup -o cpu cgroup ${root}/cpu`);
  const none = checkCgroupVersion(path.join(TMP, 'no-cgroups'));
  assert.is(none.status, 'fail');
});

test("busybox: a non-static one is refused with the distribution's package; a built image is enough", () => {
  const bin = path.join(TMP, 'bin');
  tmpFile('bin/busybox', '#!/bin/sh\n');
  fs.chmodSync(path.join(bin, 'busybox'), 0o755);
  const emptyRoot = path.join(TMP, 'state-empty');
  const none = () => null;
  const r = checkBusybox({ stateRoot: emptyRoot, find: none, dirs: [bin], distro: 'debian' });
  assert.is(r.status, 'fail');
  assert.match(r.label, `${bin}/busybox is not a static executable`);
  assert.match(r.fix!, 'apt-get install busybox-static');
  assert.match(r.fix!, 'MYDOCKER_BUSYBOX=');
  const missing = checkBusybox({ stateRoot: emptyRoot, find: none, dirs: [], distro: 'fedora' });
  assert.is(missing.value, 'none');
  assert.match(missing.fix!, 'dnf install busybox');
  tmpFile('state-img/images/busybox.tar', '');
  assert.is(checkBusybox({ stateRoot: path.join(TMP, 'state-img'), find: none, dirs: [] }).status, 'ok');
  const ok = checkBusybox({ stateRoot: emptyRoot, find: () => '/opt/busybox' });
  assert.is(ok.status, 'ok');
  assert.is(ok.value, '/opt/busybox');
});

test('a missing tool only warns, with the install command', () => {
  const r = checkTool('iptables', [path.join(TMP, 'empty-bin')], 'fedora');
  assert.is(r.status, 'warn');
  assert.is(r.fix, 'sudo dnf install iptables-nft');
  assert.is(r.chapter, '6');
  const strace = checkTool('strace', [path.join(TMP, 'empty-bin')], 'debian');
  assert.is(strace.status, 'warn');
  assert.is(strace.fix, 'sudo apt-get install strace');
  assert.match(strace.label, /chapter 3\.3: a test watches/);
});

test('networks: ip_forward on or off, the FORWARD policy, an iptables that does not work', () => {
  assert.is(checkIpForward(tmpFile('fwd-on', '1\n')).status, 'ok');
  const off = checkIpForward(tmpFile('fwd-off', '0\n'));
  assert.is(off.status, 'warn');
  assert.match(off.fix!, 'network create` turns it on');
  const drop = checkForwardPolicy(() => '-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n');
  assert.is(drop.status, 'ok');
  assert.is(drop.value, 'DROP');
  assert.match(drop.label, /fine: each network's own chain/);
  assert.is(checkForwardPolicy(() => '-P FORWARD ACCEPT\n').value, 'ACCEPT');
  const broken = checkForwardPolicy(() => {
    throw Object.assign(new Error('exit 1'), {
      stderr: 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Invalid argument\n',
    });
  });
  assert.is(broken.status, 'warn');
  assert.match(broken.label, /Could not fetch rule set/);
  assert.match(broken.fix!, 'iptables-legacy');
});

test('distribution family from os-release', () => {
  assert.is(distroFamily(tmpFile('os-ubuntu', 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')), 'debian');
  assert.is(distroFamily(tmpFile('os-fedora', 'NAME="Fedora Linux"\nID=fedora\n')), 'fedora');
  assert.is(distroFamily(tmpFile('os-arch', 'NAME="Arch Linux"\nID=arch\n')), 'arch');
  assert.is(distroFamily(tmpFile('os-alma', 'ID="almalinux"\nID_LIKE="rhel centos fedora"\n')), 'fedora');
  assert.is(distroFamily(path.join(TMP, 'absent')), 'other');
});

test('exit code: 1 only for a fail', () => {
  const ok: CheckResult = { id: 'a', status: 'ok', label: 'a' };
  const warn: CheckResult = { id: 'b', status: 'warn', label: 'b' };
  const fail: CheckResult = { id: 'c', status: 'fail', label: 'c', fix: 'x' };
  assert.is(exitCode([ok, warn]), 0);
  assert.is(exitCode([ok, warn, fail]), 1);
});

test.run();
