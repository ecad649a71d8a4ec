// Chapter 5.9 — a terminal of the container's own: init's side.
//
// Until now `run -t` handed the container the host's terminal. Inside, that terminal
// belongs to nothing the container can see: there is no /dev/pts, so `tty` says "not a
// tty", and the terminal's session is the runtime's, in another PID namespace, so a shell
// cannot take the terminal for its jobs (dash: "Cannot set tty process group").
//
// So, as Docker and runc do, the container gets a pseudo-terminal (man 7 pty) of its own:
//  - a devpts instance of its own (`newinstance`), so its terminals are numbered from 0
//    and it sees no terminal of the host's; /dev/ptmx leads into it;
//  - init opens that ptmx (the master), unlocks the slave /dev/pts/N and makes it the
//    command's stdin, stdout, stderr and controlling terminal: a new session (setsid)
//    whose leader takes the terminal with TIOCSCTTY (man 4 tty_ioctl, man 2 setsid);
//  - the master goes to the runtime on the console socket (fd 5), as an fd passed with
//    SCM_RIGHTS (man 7 unix): the runtime copies between it and the user's terminal
//    (terminal.ts). The slave never leaves the container.

import fs from 'node:fs';
import {
  dup2,
  mount,
  MS,
  sendFd,
  setControllingTerminal,
  setsid,
  setWindowSize,
  unlockPty,
  type WindowSize,
} from '../../src/runtime/sys.ts';

/** The fd on which init finds the console socket (after 3, the configuration, and 4, the exec status). */
export const CONSOLE_FD = 5;

/** The container's own devpts instance on /dev/pts, and /dev/ptmx leading into it (man 5 devpts). */
export function mountDevpts(dev = '/dev'): void {
  // exercise: mount a new devpts instance on /dev/pts and point /dev/ptmx at its ptmx
  fs.mkdirSync(`${dev}/pts`, { recursive: true });
  // newinstance: terminals of our own, numbered from 0; ptmxmode=0666: anyone may open one;
  // mode=620,gid=5: a new terminal is its owner's, writable by the tty group (for write(1)).
  mount('devpts', `${dev}/pts`, 'devpts', MS.NOSUID | MS.NOEXEC, 'newinstance,ptmxmode=0666,mode=620,gid=5');
  fs.symlinkSync('pts/ptmx', `${dev}/ptmx`);
  // end exercise
}

/**
 * Make a terminal in the container's devpts, send its master to the runtime, and make
 * its slave this process's stdin, stdout, stderr and controlling terminal. Called last
 * before the command is exec'd: from here on, what init writes goes to the terminal.
 */
export function useOwnTerminal(size: WindowSize): void {
  const { O_RDWR, O_NOCTTY } = fs.constants;
  const master = fs.openSync('/dev/ptmx', O_RDWR | O_NOCTTY);
  const slave = fs.openSync(`/dev/pts/${unlockPty(master)}`, O_RDWR | O_NOCTTY);
  setWindowSize(master, size); // before the command starts, so it reads the right size
  sendFd(CONSOLE_FD, master); // the runtime's now; ours are closed
  fs.closeSync(master);
  fs.closeSync(CONSOLE_FD);
  // exercise: a new session led by init, the slave as its controlling terminal and as fds 0, 1 and 2
  setsid();
  setControllingTerminal(slave);
  for (const fd of [0, 1, 2]) dup2(slave, fd);
  fs.closeSync(slave);
  // end exercise
}
