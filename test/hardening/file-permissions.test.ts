// Least privilege for secrets on disk (issue 8, item 5): ipsec.secrets and
// private key files are refused when group or others can write them (whoever
// can write them can plant a PSK or a key and impersonate this host), and
// warned about when others can read them. Real files with real modes.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { loadSecrets } from '../../src/config/load.js';
import { CredentialStore } from '../../src/ike/credentials.js';

describe('bug: secrets and private keys writable by others were loaded', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodeswan-perms-'));
    mkdirSync(join(dir, 'private'));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'private', 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const secretsWithMode = (mode: number) => {
    const file = join(dir, `ipsec.secrets.${mode.toString(8)}`);
    writeFileSync(file, ': PSK "permission test secret q7"\n: ECDSA key.pem\n');
    chmodSync(file, mode);
    return loadSecrets(file);
  };

  it.each([0o666, 0o602, 0o620, 0o660])('ipsec.secrets mode 0%o (writable by group or others) is refused with file:line:col', (mode) => {
    const r = secretsWithMode(mode);
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors).toEqual([expect.stringMatching(/ipsec\.secrets\.\d+:1:1: error: secrets file is writable by group or others \(mode 0\d+\); refused/)]);
    expect(errors.join('\n')).not.toContain('permission test secret');
  });

  it('ipsec.secrets mode 0644 is loaded with a warning; 0600 silently', () => {
    const open = secretsWithMode(0o644);
    expect(open.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(open.model?.entries).toHaveLength(2);
    expect(secretsWithMode(0o600).diagnostics).toEqual([]);
  });

  const storeWithKeyMode = (mode: number) => {
    chmodSync(join(dir, 'private', 'key.pem'), mode);
    const r = secretsWithMode(0o600);
    return new CredentialStore(dir, r.model!);
  };

  it.each([0o666, 0o622, 0o646])('a private key of mode 0%o (writable by group or others) is refused', (mode) => {
    const store = storeWithKeyMode(mode);
    expect(store.problems).toEqual([expect.stringMatching(/cannot read private key .*key\.pem: refused: the file is writable by group or others/)]);
    expect((store as unknown as { keys: unknown[] }).keys).toHaveLength(0);
  });

  it('a private key readable by others is loaded with a warning; 0600 silently', () => {
    const open = storeWithKeyMode(0o644);
    expect(open.problems).toEqual([]);
    expect(open.warnings).toEqual([expect.stringMatching(/private key .*key\.pem is readable by others \(mode 0644\)/)]);
    expect((open as unknown as { keys: unknown[] }).keys).toHaveLength(1);
    const closed = storeWithKeyMode(0o600);
    expect([...closed.problems, ...closed.warnings]).toEqual([]);
    expect((closed as unknown as { keys: unknown[] }).keys).toHaveLength(1);
  });
});
