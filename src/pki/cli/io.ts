// What an `ipsec pki` operation may touch besides the files it names:
// stdout for data (a certificate or CRL without --out, --print output),
// stderr for one-line reports, and the clock.
import { readFileSync } from 'node:fs';
import { PkiError } from '../errors.js';

export interface PkiIo {
  stdout(data: string | Uint8Array): void;
  stderr(line: string): void;
  now(): Date;
}

export const processIo: PkiIo = {
  stdout: (data) => void process.stdout.write(data),
  stderr: (line) => void process.stderr.write(`${line}\n`),
  now: () => new Date(),
};

export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new PkiError('PKI_IO', `cannot read ${what} ${path}: ${reason}`, { cause: err });
  }
}
