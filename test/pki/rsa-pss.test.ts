// RSASSA-PSS signatures on certificates and CRLs (--rsa-padding pss,
// RFC 4055): accepted by node:crypto, openssl and strongSwan's pki, with
// the parameters written out (digest, MGF1 with the same digest, salt as
// long as the digest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credential, createCa, describeCertificate, issueCertificate, makeCrl, verifyCrl } from '../../src/pki/index.js';
import { TempDir, run, strongswanPki } from './helpers/tools.js';

describe('RSASSA-PSS', () => {
  let ca: Credential;
  let host: Credential;
  let dir: TempDir;
  beforeAll(async () => {
    dir = new TempDir();
    ca = await createCa({ type: 'rsa', size: 2048, dn: 'C=CH, O=Example, CN=PSS CA', rsaPadding: 'pss', digest: 'sha384' });
    host = await issueCertificate({ type: 'ecdsa', issuer: ca, dn: 'C=CH, O=Example, CN=pss.example.com', san: ['pss.example.com'], rsaPadding: 'pss' });
  });
  afterAll(() => dir.remove());

  it('signs certificates node:crypto and openssl verify, with the RFC 4055 parameters', () => {
    expect(ca.x509.verify(ca.x509.publicKey)).toBe(true);
    expect(host.x509.verify(ca.x509.publicKey)).toBe(true);
    expect(describeCertificate(host.cert).signatureAlgorithm).toBe('RSASSA-PSS');
    const caFile = dir.file('ca.pem', ca.cert);
    const hostFile = dir.file('host.pem', host.cert);
    expect(run('openssl', ['verify', '-CAfile', caFile, hostFile]).stdout).toBe(`${hostFile}: OK\n`);
    const text = run('openssl', ['x509', '-noout', '-text', '-in', hostFile]).stdout;
    expect(text).toContain('Signature Algorithm: rsassaPss');
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toContain('Mask Algorithm: mgf1 with sha256');
    expect(text).toContain('Salt Length: 0x20');
    expect(run('openssl', ['x509', '-noout', '-text', '-in', caFile]).stdout).toContain('Salt Length: 0x30');
  });

  it('signs CRLs that openssl and verifyCrl accept', () => {
    const crl = makeCrl({ issuer: ca, revoked: [{ cert: host.cert }], rsaPadding: 'pss' });
    expect(verifyCrl(crl, ca.cert)).toBe(true);
    const tampered = { ...crl, der: Buffer.from(crl.der) };
    tampered.der[tampered.der.length - 5]! ^= 1;
    expect(verifyCrl(tampered, ca.cert)).toBe(false);
    const r = run('openssl', ['crl', '-noout', '-verify', '-CAfile', dir.file('ca2.pem', ca.cert), '-in', dir.file('pss.crl', crl.pem)]);
    expect(r.stderr).toContain('verify OK');
  });

  it('is trusted by strongSwan pki --verify', () => {
    const r = strongswanPki(['--verify', '--in', dir.file('host3.pem', host.cert), '--cacert', dir.file('ca3.pem', ca.cert)]);
    expect(r.stdout + r.stderr).toContain('certificate trusted, lifetimes valid');
    expect(r.status).toBe(0);
  });

  it('is refused for a non-RSA signing key', async () => {
    await expect(createCa({ type: 'ecdsa', dn: 'CN=x', rsaPadding: 'pss' })).rejects.toThrow('RSA padding applies to RSA signing keys; this one is ECDSA P-256');
  });
});
