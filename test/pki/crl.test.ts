// CRLs: signed so that `openssl crl -verify` accepts them, revocation seen
// by `openssl verify -crl_check`, entries carried over from the last CRL,
// and only certificates of the signing CA accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credential, createCa, describeCrl, issueCertificate, makeCrl, readCrl, verifyCrl } from '../../src/pki/index.js';
import { KEY_CASES } from './helpers/key-types.js';
import { TempDir, run } from './helpers/tools.js';

describe.each(KEY_CASES)('$label CRL', ({ spec }) => {
  let ca: Credential;
  let revoked: Credential;
  let good: Credential;
  let dir: TempDir;
  beforeAll(async () => {
    dir = new TempDir();
    ca = await createCa({ ...spec, dn: 'C=CH, O=Example, CN=CRL CA' });
    revoked = await issueCertificate({ ...spec, issuer: ca, dn: 'C=CH, O=Example, CN=revoked.example.com' });
    good = await issueCertificate({ ...spec, issuer: ca, dn: 'C=CH, O=Example, CN=good.example.com' });
  });
  afterAll(() => dir.remove());

  it('is accepted by openssl crl -verify and lists the revoked certificate', () => {
    const crl = makeCrl({ issuer: ca, revoked: [{ cert: revoked.cert, reason: 'keyCompromise' }], number: 7 });
    expect(verifyCrl(crl, ca.cert)).toBe(true);
    const r = run('openssl', ['crl', '-noout', '-text', '-verify', '-CAfile', dir.file('ca.pem', ca.cert), '-in', dir.file('crl.pem', crl.pem)]);
    expect(r.stderr).toContain('verify OK');
    expect(r.stdout).toContain(`Serial Number: ${revoked.serial.toUpperCase()}`);
    expect(r.stdout).toContain('Key Compromise');
    expect(r.stdout).toMatch(/X509v3 CRL Number: \n\s+7\n/);
    expect(r.stdout).toContain('Version 2 (0x1)');
  });

  it('makes openssl verify -crl_check refuse the revoked certificate and accept the other', () => {
    const crl = makeCrl({ issuer: ca, revoked: [{ cert: revoked.cert }] });
    const caFile = dir.file('ca-crl.pem', ca.cert);
    const crlFile = dir.file('check.crl', crl.pem);
    const bad = run('openssl', ['verify', '-crl_check', '-CAfile', caFile, '-CRLfile', crlFile, dir.file('revoked.pem', revoked.cert)]);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('certificate revoked');
    const ok = run('openssl', ['verify', '-crl_check', '-CAfile', caFile, '-CRLfile', crlFile, dir.file('good.pem', good.cert)]);
    expect(ok.stdout + ok.stderr).toContain(': OK');
  });

  it('fails verification with another CA or when a byte changes', async () => {
    const crl = makeCrl({ issuer: ca, revoked: [{ serial: '01' }] });
    const other = await createCa({ ...spec, dn: 'C=CH, O=Example, CN=CRL CA' });
    expect(verifyCrl(crl, other.cert)).toBe(false);
    const tampered = Buffer.from(crl.der);
    tampered[tampered.length - 2]! ^= 0x80;
    expect(verifyCrl(readCrl(tampered), ca.cert)).toBe(false);
  });
});

describe('CRL contents', () => {
  it('keeps the last CRL\'s entries, bumps its number and round-trips through readCrl', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Incremental CA' });
    const first = makeCrl({ issuer: ca, revoked: [{ serial: '0a', reason: 'superseded', date: new Date('2030-01-01T00:00:00Z') }], number: 41 });
    const second = makeCrl({ issuer: ca, base: first.pem, revoked: [{ serial: '0b' }] });
    expect(second.number).toBe(42n);
    expect(second.revoked.map((e) => e.serial)).toEqual(['0a', '0b']);
    const d = describeCrl(second.der, new Date('2030-01-02T00:00:00Z'));
    expect(d.revoked[0]).toEqual({ serial: '0a', date: '2030-01-01T00:00:00Z', reason: 'superseded' });
    expect(d.issuer).toBe('CN=Incremental CA');
    expect(d.number).toBe('42');
  });

  it('uses thisUpdate + lifetime for nextUpdate and a growing number by default', async () => {
    const ca = await createCa({ type: 'ed25519', dn: 'CN=Default CA' });
    const thisUpdate = new Date('2031-05-05T05:05:05Z');
    const crl = makeCrl({ issuer: ca, thisUpdate, lifetimeDays: 7 });
    expect(crl.nextUpdate?.toISOString()).toBe('2031-05-12T05:05:05.000Z');
    expect(crl.number).toBe(BigInt(thisUpdate.getTime() / 1000));
    expect(crl.revoked).toEqual([]);
  });

  it('refuses a certificate of another CA and a base CRL of another CA', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Mine' });
    const theirs = await createCa({ type: 'ecdsa', dn: 'CN=Theirs' });
    const foreign = await issueCertificate({ type: 'ecdsa', issuer: theirs, dn: 'CN=foreign' });
    expect(() => makeCrl({ issuer: ca, revoked: [{ cert: foreign.cert }] })).toThrow('certificate "CN=foreign" was issued by "CN=Theirs", not by "CN=Mine"');
    expect(() => makeCrl({ issuer: ca, base: makeCrl({ issuer: theirs }).pem })).toThrow('the base CRL was issued by "CN=Theirs", not by "CN=Mine"');
  });

  it('refuses an end-entity certificate as CRL signer', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Signer' });
    const host = await issueCertificate({ type: 'ecdsa', issuer: ca, dn: 'CN=host' });
    expect(() => makeCrl({ issuer: host })).toThrow('"CN=host" is not a CA certificate (basicConstraints CA:TRUE missing); it cannot sign CRLs');
  });
});
