// Safe creation of the run directory and the control socket. The socket
// gives root-level control of every tunnel, so: the directory must be ours
// and not writable by others, the socket path must not be a symlink or
// someone else's file, the socket is created with mode 0600 (umask set
// around bind, then checked with stat), and a live socket means another
// daemon is running.

import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { ControlError } from './protocol.js';

function euid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : 0;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The gid of a group name (or a number) from /etc/group; Node has no getgrnam. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // fall through to the error below
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new ControlError('UNSAFE_PATH', `control group '${group}' does not exist (not in ${groupFile})`);
}

/**
 * Creates `dir` (0700) or checks an existing one is a safe place for the
 * socket and pid file. With `gid` (a control group) the directory becomes
 * ours:gid 0750 so the group can reach the socket.
 */
export function prepareRunDir(dir: string, gid?: number): void {
  let st = lstatOrUndefined(dir);
  if (!st) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  }
  if (st.isSymbolicLink()) {
    throw new ControlError('UNSAFE_PATH', `run directory ${dir} is a symbolic link; refusing to use it`);
  }
  if (!st.isDirectory()) throw new ControlError('UNSAFE_PATH', `run directory ${dir} is not a directory`);
  if (st.uid !== euid()) {
    throw new ControlError('UNSAFE_PATH', `run directory ${dir} is owned by uid ${st.uid}, not by us (uid ${euid()})`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw new ControlError(
      'UNSAFE_PATH',
      `run directory ${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); use chmod go-w`,
    );
  }
  if (gid !== undefined) {
    chownSync(dir, euid(), gid);
    chmodSync(dir, 0o750);
  }
}

/** Resolves true when something accepts connections on the unix socket. */
export function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Checks what is at the socket path before binding: nothing (fine), a stale
 * socket of ours (removed), a live socket (another daemon: refused), a
 * symlink or a non-socket or a foreign socket (refused).
 */
export async function clearSocketPath(path: string): Promise<void> {
  const st = lstatOrUndefined(path);
  if (!st) return;
  if (st.isSymbolicLink()) throw new ControlError('UNSAFE_PATH', `control socket path ${path} is a symbolic link; refusing to start`);
  if (!st.isSocket()) throw new ControlError('UNSAFE_PATH', `control socket path ${path} exists and is not a socket; refusing to start`);
  if (st.uid !== euid()) {
    throw new ControlError('UNSAFE_PATH', `control socket ${path} is owned by uid ${st.uid}, not by us; refusing to start`);
  }
  if (await socketIsLive(path)) {
    throw new ControlError('ALREADY_RUNNING', `a nodeswan daemon is already listening on ${path}`);
  }
  unlinkSync(path);
}

/**
 * Runs `bind` (which must create the socket synchronously, as
 * net.Server.listen(path) does) under umask 0177, then verifies the result
 * is a socket we own with mode 0600, or 0660 owned by the control group
 * when `gid` is given.
 */
export function bindWithMode0600(path: string, bind: () => void, gid?: number): { ino: number } {
  const previous = process.umask(0o177);
  try {
    bind();
  } finally {
    process.umask(previous);
  }
  const mode = gid === undefined ? 0o600 : 0o660;
  if (gid !== undefined) chownSync(path, euid(), gid);
  chmodSync(path, mode);
  const st = lstatSync(path);
  if (!st.isSocket() || st.uid !== euid() || (st.mode & 0o777) !== mode || (gid !== undefined && st.gid !== gid)) {
    throw new ControlError(
      'UNSAFE_PATH',
      `control socket ${path} has mode ${(st.mode & 0o777).toString(8)} owner ${st.uid} after bind; refusing to serve`,
    );
  }
  return { ino: st.ino };
}

/** Removes the socket only if it is still the one we created. */
export function removeOwnSocket(path: string, ino: number): void {
  try {
    const st = statSync(path);
    if (st.ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}
