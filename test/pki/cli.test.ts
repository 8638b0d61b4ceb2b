// `ipsec pki` end to end: the command spawned as a separate process writes
// an ipsec.d tree that openssl accepts; mistakes give one clear line, exit
// 1, and leave existing files untouched.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipsec, pkiInProcess } from './helpers/cli.js';
import { TempDir, run } from './helpers/tools.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('ipsec pki, spawned', () => {
  let dir: TempDir;
  let d: string;
  const ca = () => `${d}/cacerts/example-root-ca.pem`;
  const caKey = () => `${d}/private/example-root-ca.pem`;
  beforeAll(() => {
    dir = new TempDir();
    d = dir.join('ipsec.d');
  });
  afterAll(() => dir.remove());

  it('--gen-ca writes the CA certificate to cacerts/ and its key 0600 to private/', () => {
    const r = ipsec(['pki', '--gen-ca', '--type', 'ecdsa', '--curve', 'p384', '--dn', 'C=CH, O=Example, CN=Example Root CA', '--ipsecd', d]);
    expect(r.stderr).toMatch(new RegExp(`^wrote CA certificate ${ca()}: "C=CH, O=Example, CN=Example Root CA", ECDSA P-384, serial [0-9a-f]{32}, valid until .* GMT\nwrote private key ${caKey()} \\(mode 0600\\)\n$`));
    expect(r.status).toBe(0);
    expect(mode(caKey())).toBe('600');
    expect(mode(`${d}/private`)).toBe('700');
    expect(mode(d)).toBe('755');
    expect(mode(ca())).toBe('644');
    expect(readFileSync(caKey(), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(run('openssl', ['verify', '-CAfile', ca(), ca()]).stdout).toBe(`${ca()}: OK\n`);
  });

  it('--issue makes a host certificate in certs/ that openssl verifies, with typed SANs and the IKE EKU', () => {
    const r = ipsec([
      'pki', '--issue', '--cacert', ca(), '--cakey', caKey(), '--type', 'rsa', '--size', '2048',
      '--dn', 'C=CH, O=Example, CN=vpn.example.com', '--san', '192.0.2.1', '--san', 'vpn.example.com', '--san', 'user@example.com',
      '--ipsecd', d,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('\nuse: leftcert=vpn.example.com.pem leftid=192.0.2.1 (ipsec.conf), : RSA vpn.example.com.pem (ipsec.secrets)\n');
    const host = `${d}/certs/vpn.example.com.pem`;
    expect(mode(`${d}/private/vpn.example.com.pem`)).toBe('600');
    expect(readFileSync(`${d}/private/vpn.example.com.pem`, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(run('openssl', ['verify', '-CAfile', ca(), '-purpose', 'sslserver', host]).stdout).toBe(`${host}: OK\n`);
    const printed = ipsec(['pki', '--print', '--in', host, '--json']);
    expect(printed.status).toBe(0);
    const [desc] = JSON.parse(printed.stdout) as Record<string, unknown>[];
    expect(desc).toMatchObject({
      file: host,
      kind: 'certificate',
      subject: 'C=CH, O=Example, CN=vpn.example.com',
      issuer: 'C=CH, O=Example, CN=Example Root CA',
      key: 'RSA 2048',
      signatureAlgorithm: 'ecdsa-with-SHA384',
      altNames: ['IP:192.0.2.1', 'DNS:vpn.example.com', 'email:user@example.com'],
      extendedKeyUsage: ['ipsecIKE', 'serverAuth'],
      status: 'valid',
      ca: false,
    });
  });

  it('--issue --ca makes an intermediate in cacerts/, and a DER host below it verifies as a chain', () => {
    const inter = ipsec(['pki', '--issue', '--ca', '--pathlen', '0', '--cacert', ca(), '--cakey', caKey(), '--type', 'ed25519', '--dn', 'C=CH, O=Example, CN=Example Intermediate CA', '--ipsecd', d]);
    expect(inter.status).toBe(0);
    const interCert = `${d}/cacerts/example-intermediate-ca.pem`;
    const interKey = `${d}/private/example-intermediate-ca.pem`;
    const out = ipsec([
      'pki', '--issue', '--cacert', interCert, '--cakey', interKey, '--type', 'ecdsa', '--dn', 'C=CH, O=Example, CN=moon.example.com',
      '--san', 'moon.example.com', '--flag', 'clientAuth', '--flag', 'serverAuth', '--outform', 'der', '--out-cert', dir.join('moon.der'), '--out-key', dir.join('moon.key.der'),
    ]);
    expect(out.status).toBe(0);
    const der = readFileSync(dir.join('moon.der'));
    expect(der[0]).toBe(0x30);
    const moon = new X509Certificate(der);
    expect(moon.keyUsage).toEqual(['1.3.6.1.5.5.7.3.17', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
    const pem = dir.file('moon.pem', moon.toString());
    expect(run('openssl', ['verify', '-CAfile', ca(), '-untrusted', interCert, pem]).stdout).toBe(`${pem}: OK\n`);
    expect(run('openssl', ['pkey', '-inform', 'DER', '-in', dir.join('moon.key.der'), '-noout']).status).toBe(0);
  });

  it('--gen-crl revokes a certificate into crls/ and openssl accepts the CRL', () => {
    const host = `${d}/certs/vpn.example.com.pem`;
    const r = ipsec(['pki', '--gen-crl', '--cacert', ca(), '--cakey', caKey(), '--revoke', host, '--reason', 'superseded', '--number', '5', '--ipsecd', d]);
    expect(r.status).toBe(0);
    const crl = `${d}/crls/example-root-ca.crl`;
    expect(r.stderr).toMatch(new RegExp(`^wrote CRL ${crl}: "C=CH, O=Example, CN=Example Root CA", number 5, 1 revoked, next update `));
    expect(run('openssl', ['crl', '-verify', '-noout', '-CAfile', ca(), '-in', crl]).stderr).toContain('verify OK');
    const check = run('openssl', ['verify', '-crl_check', '-CAfile', ca(), '-CRLfile', crl, host]);
    expect(check.stdout + check.stderr).toContain('certificate revoked');
    const printed = ipsec(['pki', '--print', '--in', crl]);
    expect(printed.stdout).toContain(`${crl}: CRL of "C=CH, O=Example, CN=Example Root CA"`);
    expect(printed.stdout).toMatch(/number: +5\n/);
    expect(printed.stdout).toContain('superseded');
  });

  it('refuses to overwrite a key without --force, leaving the old one intact, and replaces it with --force', () => {
    const before = readFileSync(caKey(), 'utf8');
    const args = ['pki', '--gen-ca', '--type', 'ecdsa', '--dn', 'C=CH, O=Example, CN=Example Root CA', '--ipsecd', d];
    const r = ipsec(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`ipsec pki: ${caKey()} exists; nothing was written (use --force to replace it)\n`);
    expect(readFileSync(caKey(), 'utf8')).toBe(before);
    expect(ipsec([...args, '--force']).status).toBe(0);
    expect(readFileSync(caKey(), 'utf8')).not.toBe(before);
    expect(mode(caKey())).toBe('600');
  });

  it('explains a bad DN in one line and exits 1', () => {
    const r = ipsec(['pki', '--gen-ca', '--type', 'ed25519', '--dn', 'C=CH, Example', '--ipsecd', d]);
    expect(r).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipsec pki: distinguished name "C=CH, Example" RDN 2 "Example" has no \'=\'; each part is TYPE=value, e.g. CN=vpn.example.com\n',
    });
  });

  it('is listed by ipsec --help and prints its usage with --help', () => {
    expect(ipsec(['--help']).stdout).toMatch(/commands: .*\bpki\b/);
    const help = ipsec(['pki', '--help']);
    expect(help.status).toBe(0);
    for (const op of ['--gen-ca', '--issue', '--print', '--gen-crl', '--gen ']) expect(help.stdout).toContain(op);
  });
});

describe('ipsec pki options and mistakes', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = new TempDir();
  });
  afterAll(() => dir.remove());

  it('writes the certificate to stdout when --out-cert is missing, and the key only to a file', async () => {
    const r = await pkiInProcess(['--gen-ca', '--type', 'ed25519', '--dn', 'CN=stdout CA', '--out-key', dir.join('k.pem')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\n$/);
    expect(r.stdout).not.toContain('PRIVATE KEY');
    expect(r.stderr).toMatch(/^CA certificate on stdout: "CN=stdout CA", Ed25519/);
  });

  it('accepts the operation after the options, --ipsecdir like the daemon, and --name for file names', async () => {
    const r = await pkiInProcess(['--type', 'ecdsa', '--dn', 'CN=Named', '--ipsecdir', dir.join('d'), '--name', 'root', '--gen-ca']);
    expect(r.status).toBe(0);
    expect(statSync(dir.join('d/cacerts/root.pem')).isFile()).toBe(true);
    expect(statSync(dir.join('d/private/root.pem')).isFile()).toBe(true);
  });

  it('--gen writes a key only', async () => {
    const r = await pkiInProcess(['--gen', '--type', 'rsa', '--size', '2048', '--out-key', dir.join('gen.pem')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`wrote private key ${dir.join('gen.pem')} (RSA 2048, mode 0600)\n`);
    expect(mode(dir.join('gen.pem'))).toBe('600');
  });

  it('--issue --in-key certifies an existing key', async () => {
    await pkiInProcess(['--gen-ca', '--type', 'ecdsa', '--dn', 'CN=Reuse CA', '--out-key', dir.join('rca.key'), '--out-cert', dir.join('rca.pem')]);
    await pkiInProcess(['--gen', '--type', 'ecdsa', '--out-key', dir.join('mine.key')]);
    const r = await pkiInProcess(['--issue', '--cacert', dir.join('rca.pem'), '--cakey', dir.join('rca.key'), '--in-key', dir.join('mine.key'), '--dn', 'CN=mine', '--out-cert', dir.join('mine.pem')]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('private key');
    const cert = new X509Certificate(readFileSync(dir.join('mine.pem')));
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(createPublicKey(createPrivateKey(readFileSync(dir.join('mine.key')))).export({ type: 'spki', format: 'der' }));
  });

  const mistakes: [string, string[], string][] = [
    ['no operation', ['--type', 'rsa'], 'ipsec pki: no operation given; use one of --gen-ca, --issue, --print, --verify, --gen-crl, --gen\n'],
    ['no key destination', ['--gen-ca', '--type', 'ecdsa', '--dn', 'CN=x'], 'ipsec pki: --gen-ca makes a private key: name it with --out-key FILE or --ipsecd DIR (keys are never written to stdout)\n'],
    ['no DN', ['--gen-ca', '--type', 'ecdsa', '--out-key', '/nonexistent/k'], 'ipsec pki: --gen-ca needs --dn "C=CH, O=Example, CN=vpn.example.com"\n'],
    ['bad type', ['--gen-ca', '--type', 'dsa', '--dn', 'CN=x'], "ipsec pki: --type 'dsa' is not valid; use one of rsa, ecdsa, ed25519\n"],
    ['bad size', ['--gen-ca', '--type', 'rsa', '--size', '1024', '--dn', 'CN=x'], 'ipsec pki: --size 1024 is not supported; use one of 2048, 3072, 4096\n'],
    ['curve without ecdsa', ['--gen-ca', '--type', 'rsa', '--curve', 'p256', '--dn', 'CN=x'], 'ipsec pki: --curve applies to --type ecdsa only (add --type ecdsa)\n'],
    ['bad flag', ['--issue', '--flag', 'vpn', '--dn', 'CN=x'], "ipsec pki: --flag 'vpn' is not known; use one of serverAuth, clientAuth, ikeIntermediate, ocspSigning\n"],
    ['unknown option', ['--print', '--in', 'x', '--dn', 'CN=x'], 'ipsec pki: option --dn does not apply to --print; options: --in --json\n'],
    ['missing value', ['--gen-ca', '--dn'], 'ipsec pki: --dn needs a value\n'],
    ['twice', ['--gen-ca', '--dn', 'CN=a', '--dn', 'CN=b'], 'ipsec pki: --dn is given twice\n'],
    ['pathlen without --ca', ['--issue', '--cacert', '/dev/null', '--cakey', '/dev/null', '--dn', 'CN=x', '--pathlen', '1'], 'ipsec pki: --pathlen applies to CA certificates only (add --ca)\n'],
    ['missing CA file', ['--issue', '--cacert', '/nonexistent/ca.pem', '--cakey', '/nonexistent/ca.key', '--dn', 'CN=x'], 'ipsec pki: cannot read CA certificate /nonexistent/ca.pem: no such file\n'],
    ['bad date', ['--gen-ca', '--type', 'ecdsa', '--dn', 'CN=x', '--not-after', 'soon', '--out-key', '/nonexistent/k'], "ipsec pki: --not-after 'soon' is not a date; use ISO 8601, e.g. 2030-01-01 or 2030-01-01T12:00:00Z\n"],
    ['print without --in', ['--print'], 'ipsec pki: --print needs --in FILE (a certificate, CRL or private key, PEM or DER)\n'],
    ['print of a directory', ['--print', '--in', '/tmp'], 'ipsec pki: cannot read file /tmp: it is a directory\n'],
    ['reason without revocations', ['--gen-crl', '--cacert', '/dev/null', '--cakey', '/dev/null', '--reason', 'keyCompromise'], 'ipsec pki: --reason applies to --revoke/--revoke-serial entries, and none was given\n'],
  ];
  it.each(mistakes)('%s', async (_name, args, stderr) => {
    const r = await pkiInProcess(args);
    expect(r.stderr).toBe(stderr);
    expect(r.status).toBe(1);
  });

  it('names the CA key that does not match', async () => {
    await pkiInProcess(['--gen-ca', '--type', 'ecdsa', '--dn', 'CN=A', '--out-key', dir.join('a.key'), '--out-cert', dir.join('a.pem')]);
    await pkiInProcess(['--gen-ca', '--type', 'ecdsa', '--dn', 'CN=B', '--out-key', dir.join('b.key'), '--out-cert', dir.join('b.pem')]);
    const r = await pkiInProcess(['--issue', '--cacert', dir.join('a.pem'), '--cakey', dir.join('b.key'), '--type', 'ecdsa', '--dn', 'CN=x', '--out-key', dir.join('x.key')]);
    expect(r.stderr).toBe('ipsec pki: the CA private key does not belong to the CA certificate "CN=A"\n');
    expect(r.status).toBe(1);
    expect(() => statSync(dir.join('x.key'))).toThrow();
  });
});
