// Writing what `ipsec pki` makes: every target is checked before anything
// is written (an existing file is never replaced without --force, so a
// half-done run loses nothing), each file is written to a temporary name
// and renamed into place, and private keys are created 0600 in a 0700
// directory from the first byte on.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { PkiError } from './errors.js';

export interface OutputFile {
  path: string;
  data: Uint8Array;
  /** A private key: mode 0600, parent directory 0700 when created here. */
  secret: boolean;
}

export function writeOutputs(files: OutputFile[], force: boolean): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new PkiError('PKI_BAD_OPTION', `two outputs would go to ${f.path}`);
    seen.add(f.path);
    if (!force) assertAbsent(f.path);
  }
  for (const f of files) writeOne(f);
}

export function assertAbsent(path: string): void {
  if (existsSync(path)) throw new PkiError('PKI_FILE_EXISTS', `${path} exists; nothing was written (use --force to replace it)`);
}

function writeOne(f: OutputFile): void {
  const dir = dirname(f.path);
  const temp = join(dir, `.${basename(f.path)}.${process.pid}.tmp`);
  try {
    // Only the key's own folder is private; folders above it are ordinary.
    mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
    mkdirSync(dir, { recursive: true, mode: f.secret ? 0o700 : 0o755 });
    const fd = openSync(temp, 'wx', f.secret ? 0o600 : 0o644);
    try {
      writeSync(fd, f.data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (f.secret) chmodSync(temp, 0o600); // umask cannot widen it, but make it explicit
    renameSync(temp, f.path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing to clean up
    }
    throw new PkiError('PKI_IO', `cannot write ${f.path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The ipsec.d folders (strongSwan/Libreswan layout). */
export const IPSECD_DIRS = { cacert: 'cacerts', cert: 'certs', key: 'private', crl: 'crls' } as const;
export type IpsecdKind = keyof typeof IPSECD_DIRS;

/** Where a file of `kind` goes under an ipsec.d directory; an absolute name is kept as is. */
export function ipsecdPath(ipsecd: string, kind: IpsecdKind, name: string): string {
  return isAbsolute(name) ? name : join(ipsecd, IPSECD_DIRS[kind], name);
}

/** A file name from a DN's CN (or the whole DN): "Example Root CA" -> "example-root-ca". */
export function fileStem(subject: string): string {
  const cn = /(?:^|,\s*)CN=((?:\\.|[^,])*)/.exec(subject)?.[1] ?? subject;
  const stem = cn
    .replace(/\\(.)/g, '$1')
    .toLowerCase()
    .replace(/[^a-z0-9.@_-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return stem || 'cert';
}

export interface IpsecdContent {
  cacerts?: Record<string, string | Uint8Array>;
  certs?: Record<string, string | Uint8Array>;
  private?: Record<string, string | Uint8Array>;
  crls?: Record<string, string | Uint8Array>;
}

/** Writes certificates, keys and CRLs into an ipsec.d tree; returns the paths written. */
export function installIpsecd(ipsecd: string, content: IpsecdContent, options: { force?: boolean } = {}): string[] {
  const files: OutputFile[] = [];
  const add = (kind: IpsecdKind, entries: Record<string, string | Uint8Array> | undefined) => {
    for (const [name, data] of Object.entries(entries ?? {})) {
      files.push({ path: ipsecdPath(ipsecd, kind, name), data: typeof data === 'string' ? Buffer.from(data) : data, secret: kind === 'key' });
    }
  };
  add('cacert', content.cacerts);
  add('cert', content.certs);
  add('key', content.private);
  add('crl', content.crls);
  writeOutputs(files, options.force ?? false);
  return files.map((f) => f.path);
}
