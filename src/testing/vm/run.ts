// The cgroup v2 tests in a VM. Machinery: this machine may boot hybrid or v1 (and its
// cgroup hierarchies cannot be released without disturbing the host), so the tests that
// need cgroup v2 with real controllers run in a QEMU VM with a stock Debian kernel,
// booted with `cgroup_no_v1=all`. How the VM is put together: docs/architecture.md
// ("The cgroup v2 VM"); what runs inside: inside.ts.
//
//   npm run test:vm                   boot, run the tests, power off (a few minutes)
//   npm run test:vm -- 3.2            only the jobs whose label starts with 3.2
//
// MYDOCKER_VM_TIMEOUT (seconds; default 300 with KVM, 1200 emulated) bounds the whole VM; MYDOCKER_VM_REQUIRED=1
// (set by .ci/run) turns "cannot run here" from a skip into a failure.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../harness.ts';
import { buildInitramfs } from './initramfs.ts';
import { cachedKernel, fetchKernel, VM_CACHE } from './kernel.ts';

const QEMU = 'qemu-system-x86_64';
const BUSYBOX = '/bin/busybox';

export interface VmResult {
  passed: number;
  failed: number;
  output: string;
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir || '.', program);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Why the VM cannot run on this machine (one line), or undefined when it can. */
export function vmSkipReason(): string | undefined {
  if (process.arch !== 'x64') return `the VM tests need an x86-64 machine (this is ${process.arch})`;
  if (process.getuid?.() !== 0) return 'the VM tests need root (as every container test)';
  if (!onPath(QEMU)) return `${QEMU} is not installed (Debian/Ubuntu: apt-get install qemu-system-x86)`;
  if (!cachedKernel() && (!onPath('apt-get') || !onPath('dpkg-deb')))
    return 'the VM kernel is fetched with apt-get download and dpkg-deb, which this machine lacks';
  if (!fs.existsSync(BUSYBOX)) return `no static busybox at ${BUSYBOX} (apt-get install busybox-static)`;
  return undefined;
}

/**
 * KVM when /dev/kvm is hardware virtualization (kvm_intel or kvm_amd). Other KVM
 * flavours, such as the PVM of some cloud sandboxes (kvm_pvm), boot only guest kernels
 * built for them, so the VM is emulated there (TCG: several times slower, still real).
 */
export function accelerator(): 'kvm' | 'tcg' {
  if (!fs.existsSync('/dev/kvm')) return 'tcg';
  return fs.existsSync('/sys/module/kvm_intel') || fs.existsSync('/sys/module/kvm_amd') ? 'kvm' : 'tcg';
}

/** The qemu command line (argv after the program). */
function qemuArgs(vmlinuz: string, initrd: string, accel: 'kvm' | 'tcg', env: Record<string, string>): string[] {
  const cmdline = [
    'console=ttyS0',
    'quiet',
    'loglevel=3',
    'panic=-1', // a dying init reboots at once, and -no-reboot turns that into an exit
    'cgroup_no_v1=all', // pure v2: no controller can be bound to a v1 hierarchy
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  ].join(' ');
  return [
    ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi']),
    '-smp',
    '2',
    '-m',
    '1536',
    '-nic',
    'none', // no network at all
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-no-reboot',
    '-kernel',
    vmlinuz,
    '-initrd',
    initrd,
    '-append',
    cmdline,
    // This machine's / read-only; init puts a tmpfs-backed overlay over it.
    '-virtfs',
    'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    // The checkout again, on its own: init mounts it at its own path after the tmpfs
    // mounts, so a checkout under /tmp or /root (a CI clone, say) is there too.
    '-virtfs',
    `local,path=${REPO},mount_tag=checkout,security_model=none,readonly=on,multidevs=remap`,
  ];
}

/** Drop the terminal control sequences the firmware prints, and carriage returns. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[a-zA-Z]|\x1bc|\r/g, '');
}

type VmOptions = { only?: string; script?: string; timeoutSec?: number; echo?: boolean };

/**
 * Boot the VM, run the tests in it, power it off (bootOnce). Once more if the tests'
 * driver inside died by a signal: "Segmentation fault" from node itself, seen once in
 * emulation (TCG), early in a boot, and not on a rerun of the same checkout. That is
 * the emulated machine failing, not a test: a test that fails, a timeout or any other
 * exit is never retried, and the first boot's output stays in the report.
 */
export async function runVm(opts: VmOptions = {}): Promise<VmResult> {
  const first = await bootOnce(opts);
  if (first.driverSignal === undefined) return first;
  const note = `mydocker-vm: the tests' driver died by signal ${first.driverSignal}; booting once more\n`;
  if (opts.echo) process.stdout.write(note);
  const second = await bootOnce(opts);
  return { passed: second.passed, failed: second.failed, output: first.output + note + second.output };
}

/**
 * One boot. Never leaves qemu behind: it is run under timeout(1) (which kills it even
 * if this process dies), and killed on our timeout, on SIGINT/SIGTERM and on exit.
 */
async function bootOnce(opts: VmOptions): Promise<VmResult & { driverSignal?: number }> {
  const skip = vmSkipReason();
  if (skip) {
    const required = process.env.MYDOCKER_VM_REQUIRED === '1';
    return { passed: 0, failed: required ? 1 : 0, output: `${required ? 'cannot run' : 'skipped'}: ${skip}\n` };
  }
  let kernel;
  try {
    kernel = fetchKernel();
  } catch (err) {
    const msg = `the VM kernel could not be fetched: ${(err as Error).message.split('\n')[0]}`;
    return { passed: 0, failed: 1, output: `${msg}\n` };
  }
  const initrd = path.join(VM_CACHE, `initramfs-${process.pid}.cpio`);
  buildInitramfs(initrd, { busybox: BUSYBOX, modulesDir: kernel.modules });
  const accel = accelerator();
  // Emulated, everything takes several times longer: so do the tests' waits.
  const timeoutSec = opts.timeoutSec ?? (Number(process.env.MYDOCKER_VM_TIMEOUT) || (accel === 'kvm' ? 300 : 1200));
  const env: Record<string, string> = { MYDOCKER_VM_REPO: REPO, MYDOCKER_TIME_SCALE: accel === 'kvm' ? '1' : '6' };
  if (opts.only) env.MYDOCKER_VM_ONLY = opts.only;
  if (opts.script) env.MYDOCKER_VM_SCRIPT = opts.script;
  const started = Date.now();
  let output = `mydocker-vm: ${QEMU} (${accel === 'kvm' ? 'KVM' : 'TCG emulation: no hardware KVM here'}), kernel ${kernel.release}, timeout ${timeoutSec}s\n`;
  if (opts.echo) process.stdout.write(output);

  const child = spawn(
    'timeout',
    ['--signal=KILL', String(timeoutSec), QEMU, ...qemuArgs(kernel.vmlinuz, initrd, accel, env)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  const onSignal = (sig: NodeJS.Signals) => {
    kill();
    fs.rmSync(initrd, { force: true });
    process.kill(process.pid, sig);
  };
  process.once('exit', kill);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const take = (d: Buffer) => {
    const text = clean(d.toString());
    output += text;
    if (opts.echo) process.stdout.write(text);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  process.off('exit', kill);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  fs.rmSync(initrd, { force: true });

  let passed = 0;
  let failed = 0;
  for (const m of output.matchAll(/^mydocker-vm: job .*: passed (\d+) failed (\d+)/gm)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  const exit = /^mydocker-vm: exit (\d+)$/m.exec(output);
  // The shell reports a child killed by signal N as 128 + N.
  const driverSignal = exit && Number(exit[1]) > 128 ? Number(exit[1]) - 128 : undefined;
  const secs = Math.round((Date.now() - started) / 1000);
  let tail = `mydocker-vm: ${secs}s`;
  if (!exit) {
    failed = Math.max(failed, 1);
    tail +=
      status === 137 || status === 124
        ? `; killed after the ${timeoutSec}s timeout`
        : `; the VM ended without reporting (qemu: ${status})`;
  } else if (exit[1] !== '0' && failed === 0) {
    failed = 1; // init or inside.ts failed outside any test
  }
  output += `${tail}\n`;
  if (opts.echo) process.stdout.write(`${tail}\n`);
  return { passed, failed, output, driverSignal };
}

async function main(argv: string[]): Promise<number> {
  const only = argv.find((a) => !a.startsWith('--'));
  const r = await runVm({ only, echo: true });
  if (!r.output.startsWith('mydocker-vm:')) process.stdout.write(r.output); // skipped, or no kernel
  process.stdout.write(`${r.passed} passed, ${r.failed} failed\n`);
  return r.failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'src/testing/vm/run.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
