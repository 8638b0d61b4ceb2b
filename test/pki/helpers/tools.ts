// Runs the reference tools the certificates are checked against (openssl,
// strongSwan's pki) on files in a per-test temporary directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string | Buffer } = {}): RunResult {
  const r = spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  if (r.error) throw new Error(`${command} could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** strongSwan's pki prints a line per plugin it cannot load; those are noise here. */
export function strongswanPki(args: string[]): RunResult {
  const r = run('pki', args);
  if (r.status === null) throw new Error('pki (apt install strongswan-pki) was killed');
  const clean = (s: string) => s.split('\n').filter((l) => !/^plugin '.*': failed to load/.test(l)).join('\n');
  return { status: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'nodeswan-pki-'));
  file(name: string, data: string | Uint8Array): string {
    const p = join(this.path, name);
    writeFileSync(p, data);
    return p;
  }
  join(name: string): string {
    return join(this.path, name);
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
