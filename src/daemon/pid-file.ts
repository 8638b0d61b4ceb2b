// The pid file doubles as the single-instance lock: it is created with
// O_CREAT|O_EXCL (which also refuses to follow a planted symlink), so of two
// daemons starting at once exactly one wins. A pid file whose process is
// gone, or belongs to a program that is not a nodeswan daemon (pid reuse
// after a crash), is stale and replaced.

import { closeSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class PidFileError extends Error {
  constructor(
    readonly code: 'ALREADY_RUNNING' | 'UNSAFE_PATH' | 'PID_FILE_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'PidFileError';
  }
}

/** Reads the pid in the file, or undefined when there is no usable one. */
export function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is running and looks like a nodeswan daemon (`start --nofork`). */
export function isDaemonProcess(pid: number): boolean {
  if (!processExists(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('--nofork') && argv.includes('start');
  } catch {
    return true; // cannot tell (no /proc): assume it is one, refusing is the safe side
  }
}

export class PidFile {
  private constructor(
    readonly path: string,
    readonly pid: number,
  ) {}

  /** Creates the pid file for this process, or throws ALREADY_RUNNING. */
  static acquire(path: string, pid: number = process.pid): PidFile {
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new PidFileError('PID_FILE_FAILED', `cannot create pid file ${path}: ${(err as Error).message}`);
        }
        const st = lstatSync(path, { throwIfNoEntry: false });
        if (st && !st.isFile()) {
          throw new PidFileError('UNSAFE_PATH', `pid file ${path} is not a regular file; refusing to start`);
        }
        const other = readPid(path);
        if (other !== undefined && other !== pid && isDaemonProcess(other)) {
          throw new PidFileError('ALREADY_RUNNING', `nodeswan is already running (pid ${other}, pid file ${path})`);
        }
        try {
          unlinkSync(path); // stale
        } catch {
          // someone else removed it first; retry the exclusive create
        }
        continue;
      }
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return new PidFile(path, pid);
    }
    throw new PidFileError('PID_FILE_FAILED', `could not take the pid file ${path} (another daemon starting?)`);
  }

  /** Removes the file if it still names us. */
  release(): void {
    if (readPid(this.path) === this.pid) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}
