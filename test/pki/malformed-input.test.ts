// Files that are not what they claim: every truncation and a sample of
// byte flips of a real certificate and CRL must end in a PkiError with a
// stable code (what `ipsec pki --print` reports in one line), never in
// another exception.
import { describe, expect, it } from 'vitest';
import { PkiError, createCa, describeFile, issueCertificate, makeCrl, readCertificate, readCrl } from '../../src/pki/index.js';

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof PkiError ? err.code : `unexpected ${(err as Error).constructor.name}: ${(err as Error).message}`;
  }
}

describe('malformed certificates and CRLs', async () => {
  const ca = await createCa({ type: 'ecdsa', dn: 'C=CH, O=Example, CN=Fuzz CA' });
  const host = await issueCertificate({ type: 'ecdsa', issuer: ca, dn: 'CN=host', san: ['192.0.2.1', 'host.example.com'] });
  const crl = makeCrl({ issuer: ca, revoked: [{ cert: host.cert, reason: 'keyCompromise' }] });

  it('every truncation of a DER certificate is a PKI_BAD_CERT', () => {
    const results = new Set<string>();
    for (let n = 0; n < host.certDer.length; n++) results.add(outcome(() => describeFile(host.certDer.subarray(0, n), 'cut.der')));
    expect([...results]).toEqual(['PKI_BAD_CERT']);
  });

  it('every truncation of a DER CRL is a PKI_BAD_CRL', () => {
    const results = new Set<string>();
    for (let n = 0; n < crl.der.length; n++) results.add(outcome(() => readCrl(crl.der.subarray(0, n), 'cut.crl')));
    expect([...results]).toEqual(['PKI_BAD_CRL']);
  });

  it('single-byte changes either still parse or are a PKI error, never a crash', () => {
    const results = new Set<string>();
    for (let i = 0; i < host.certDer.length; i++) {
      for (const mask of [0x01, 0xff]) {
        const bytes = Buffer.from(host.certDer);
        bytes[i]! ^= mask;
        results.add(outcome(() => readCertificate(bytes, 'flip.der')));
      }
    }
    for (const r of results) expect(['ok', 'PKI_BAD_CERT']).toContain(r);
  });

  it('a PEM file without a certificate, CRL or key says so', () => {
    expect(() => describeFile(Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), 'pub.pem')).toThrow(
      'pub.pem holds no certificate, CRL or private key',
    );
    expect(() => describeFile(Buffer.from('hello\n'), 'notes.txt')).toThrow('notes.txt is not a certificate, CRL or private key in PEM or DER');
  });
});
