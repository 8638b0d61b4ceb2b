import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PidFile, isDaemonProcess } from '../../src/daemon/pid-file.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-pid-'));
  path = join(dir, 'nodeswan.pid');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A live process whose command line looks like a daemon's. */
async function fakeDaemon() {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1 << 30)', 'start', '--nofork'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((r) => child.stdout!.once('data', r));
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('PidFile', () => {
  it('writes our pid and removes it on release', () => {
    const p = PidFile.acquire(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    p.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses while a daemon process holds it', async () => {
    const d = await fakeDaemon();
    try {
      expect(isDaemonProcess(d.pid!)).toBe(true);
      writeFileSync(path, `${d.pid}\n`);
      expect(() => PidFile.acquire(path)).toThrow(`nodeswan is already running (pid ${d.pid}, pid file ${path})`);
      expect(readFileSync(path, 'utf8')).toBe(`${d.pid}\n`);
    } finally {
      d.kill('SIGKILL');
    }
  });

  it('replaces stale files: dead pid, non-daemon pid, garbage', async () => {
    for (const content of [`${await deadPid()}\n`, `${process.pid}\n`, 'garbage', '']) {
      writeFileSync(path, content);
      const p = PidFile.acquire(path, 424242);
      expect(readFileSync(path, 'utf8')).toBe('424242\n');
      p.release();
    }
  });

  it('refuses a symlink planted at the pid file path and never writes through it', () => {
    const target = join(dir, 'victim');
    writeFileSync(target, 'precious');
    symlinkSync(target, path);
    expect(() => PidFile.acquire(path)).toThrow(/not a regular file/);
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('release leaves a file that names another process alone', () => {
    const p = PidFile.acquire(path);
    writeFileSync(path, '12345\n');
    p.release();
    expect(readFileSync(path, 'utf8')).toBe('12345\n');
  });
});
