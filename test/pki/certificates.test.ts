// CA and host certificates of every key type, checked by node:crypto's
// X509Certificate and by `openssl verify`, plus the extensions IKE peers
// look at (IKE EKU, SAN types, key usage, key identifiers).
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credential, createCa, describeCertificate, issueCertificate } from '../../src/pki/index.js';
import { KEY_CASES } from './helpers/key-types.js';
import { TempDir, run } from './helpers/tools.js';

const EXPECTED_SIGNATURE: Record<string, string> = {
  'RSA 2048': 'sha256WithRSAEncryption',
  'ECDSA P-256': 'ecdsa-with-SHA256',
  'ECDSA P-384': 'ecdsa-with-SHA384',
  Ed25519: 'Ed25519',
};

describe.each(KEY_CASES)('$label CA and host certificate', ({ label, spec }) => {
  let ca: Credential;
  let host: Credential;
  let otherCa: Credential;
  let dir: TempDir;

  beforeAll(async () => {
    dir = new TempDir();
    ca = await createCa({ ...spec, dn: 'C=CH, O=Example, CN=Example Root CA' });
    otherCa = await createCa({ ...spec, dn: 'C=CH, O=Example, CN=Example Root CA' });
    host = await issueCertificate({
      ...spec,
      issuer: ca,
      dn: 'C=CH, O=Example, CN=vpn.example.com',
      san: ['192.0.2.1', 'vpn.example.com', 'user@example.com', '2001:db8::1'],
    });
  });
  afterAll(() => dir.remove());

  it('makes a self-signed CA that node:crypto accepts as a CA', () => {
    expect(ca.keyInfo.label).toBe(label);
    expect(ca.x509.ca).toBe(true);
    expect(ca.x509.checkIssued(ca.x509)).toBe(true);
    expect(ca.x509.verify(ca.x509.publicKey)).toBe(true);
    expect(ca.x509.subject).toBe('C=CH\nO=Example\nCN=Example Root CA');
  });

  it('issues a host certificate that verifies with the CA key and no other', () => {
    expect(host.x509.ca).toBe(false);
    expect(host.x509.checkIssued(ca.x509)).toBe(true);
    expect(host.x509.verify(ca.x509.publicKey)).toBe(true);
    expect(host.x509.verify(otherCa.x509.publicKey)).toBe(false);
    expect(host.x509.verify(host.x509.publicKey)).toBe(false);
  });

  it('names the host by IP, DNS name and email, typed as such', () => {
    expect(host.x509.checkIP('192.0.2.1')).toBe('192.0.2.1');
    expect(host.x509.checkIP('2001:db8::1')).toBe('2001:db8::1');
    expect(host.x509.checkIP('192.0.2.2')).toBeUndefined();
    expect(host.x509.checkHost('vpn.example.com')).toBe('vpn.example.com');
    expect(host.x509.checkHost('other.example.com')).toBeUndefined();
    expect(host.x509.checkEmail('user@example.com')).toBe('user@example.com');
    expect(host.x509.checkEmail('vpn.example.com')).toBeUndefined();
    expect(host.x509.subjectAltName).toBe('IP Address:192.0.2.1, DNS:vpn.example.com, email:user@example.com, IP Address:2001:DB8:0:0:0:0:0:1');
  });

  it('carries the IKE extended key usage and serverAuth, and the right key usage and identifiers', () => {
    expect(host.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.17', '1.3.6.1.5.5.7.3.1']);
    const d = describeCertificate(host.cert);
    expect(d.extendedKeyUsage).toEqual(['ipsecIKE', 'serverAuth']);
    expect(d.keyUsage).toEqual(spec.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);
    expect(d.ca).toBe(false);
    expect(d.signatureAlgorithm).toBe(EXPECTED_SIGNATURE[label]);
    expect(d.key).toBe(label);
    expect(d.subjectKeyId).toBe(d.publicKeySha1);
    expect(d.authorityKeyId).toBe(describeCertificate(ca.cert).subjectKeyId);
    const caDescription = describeCertificate(ca.cert);
    expect(caDescription.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(caDescription.extendedKeyUsage).toEqual([]);
    expect(caDescription.selfSigned).toBe(true);
  });

  it('passes openssl verify against its CA, and fails against another CA', () => {
    const caFile = dir.file(`ca.pem`, ca.cert);
    const hostFile = dir.file(`host.pem`, host.cert);
    const ok = run('openssl', ['verify', '-CAfile', caFile, '-purpose', 'sslserver', hostFile]);
    expect(ok.stdout + ok.stderr).toBe(`${hostFile}: OK\n`);
    expect(ok.status).toBe(0);
    const wrong = run('openssl', ['verify', '-CAfile', dir.file('other.pem', otherCa.cert), hostFile]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/signature failure|unable to get local issuer/);
  });

  it('is rejected by node:crypto and openssl once a signature byte is changed', () => {
    const der = Buffer.from(host.certDer);
    der[der.length - 3]! ^= 0x01;
    const tampered = new X509Certificate(der);
    expect(tampered.verify(ca.x509.publicKey)).toBe(false);
    const r = run('openssl', ['verify', '-CAfile', dir.file('ca2.pem', ca.cert), dir.file('bad.der.pem', `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`)]);
    expect(r.status).not.toBe(0);
  });

  it('prints extensions openssl reads the same way', () => {
    const text = run('openssl', ['x509', '-noout', '-text', '-in', dir.file('host-text.pem', host.cert)]).stdout;
    expect(text).toContain('X509v3 Basic Constraints: critical\n                CA:FALSE');
    expect(text).toContain('X509v3 Key Usage: critical');
    expect(text).toContain('ipsec Internet Key Exchange, TLS Web Server Authentication');
    expect(text).toContain('IP Address:192.0.2.1, DNS:vpn.example.com, email:user@example.com, IP Address:2001:DB8:0:0:0:0:0:1');
    expect(text).toContain('Version: 3 (0x2)');
  });
});

describe('certificate options', () => {
  it('uses the given flags instead of serverAuth, always with ipsecIKE', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Flags CA' });
    const user = await issueCertificate({ type: 'ecdsa', issuer: ca, dn: 'CN=user', san: ['user@example.com'], flags: ['clientAuth', 'ikeIntermediate'] });
    expect(user.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.17', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.8.2.2']);
  });

  it('honours lifetime, explicit dates, serial and digest', async () => {
    const notBefore = new Date('2030-01-01T00:00:00Z');
    const notAfter = new Date('2055-06-01T12:00:00Z'); // GeneralizedTime from 2050 on
    const ca = await createCa({ type: 'ecdsa', curve: 'p256', dn: 'CN=Dates CA', notBefore, notAfter, serial: '0a:1b:2c', digest: 'sha512' });
    const d = describeCertificate(ca.cert, new Date('2029-01-01T00:00:00Z'));
    expect(d.notBefore).toBe('2030-01-01T00:00:00Z');
    expect(d.notAfter).toBe('2055-06-01T12:00:00Z');
    expect(d.status).toBe('not yet valid');
    expect(d.serial).toBe('0a:1b:2c');
    expect(d.signatureAlgorithm).toBe('ecdsa-with-SHA512');
    expect(ca.x509.validTo).toBe('Jun  1 12:00:00 2055 GMT');

    const short = await createCa({ type: 'ed25519', dn: 'CN=Short', lifetimeDays: 2 });
    const span = new Date(short.x509.validTo).getTime() - new Date(short.x509.validFrom).getTime();
    expect(span).toBe(2 * 86_400_000 + 5 * 60_000); // starts five minutes back for clock skew
  });

  it('certifies an existing key and refuses one of another type', async () => {
    const ca = await createCa({ type: 'ed25519', dn: 'CN=Key CA' });
    const host = await issueCertificate({ issuer: ca, dn: 'CN=reuse', type: 'ed25519', key: ca.key });
    expect(host.x509.publicKey.export({ format: 'der', type: 'spki' })).toEqual(ca.x509.publicKey.export({ format: 'der', type: 'spki' }));
    await expect(issueCertificate({ issuer: ca, dn: 'CN=x', type: 'rsa', key: ca.key })).rejects.toThrow('the given key is Ed25519, not of type rsa');
  });

  it('refuses to sign with a key that is not the CA certificate\'s, or with an end-entity certificate', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Real CA' });
    const other = await createCa({ type: 'ecdsa', dn: 'CN=Other CA' });
    await expect(issueCertificate({ issuer: { cert: ca.cert, key: other.key }, type: 'ecdsa', dn: 'CN=x' })).rejects.toMatchObject({
      code: 'PKI_KEY_MISMATCH',
      message: 'the CA private key does not belong to the CA certificate "CN=Real CA"',
    });
    const host = await issueCertificate({ issuer: ca, type: 'ecdsa', dn: 'CN=host' });
    await expect(issueCertificate({ issuer: host, type: 'ecdsa', dn: 'CN=x' })).rejects.toMatchObject({
      code: 'PKI_NOT_A_CA',
      message: '"CN=host" is not a CA certificate (basicConstraints CA:TRUE missing); it cannot sign certificates',
    });
  });

  it('refuses an empty subject DN', async () => {
    const ca = await createCa({ type: 'ecdsa', dn: 'CN=Empty Subject CA' });
    await expect(issueCertificate({ issuer: ca, type: 'ecdsa', dn: '  ' })).rejects.toMatchObject({ code: 'PKI_BAD_DN' });
  });

  it('rejects bad option values with the valid choices', async () => {
    await expect(createCa({ type: 'rsa', size: 1024, dn: 'CN=x' })).rejects.toThrow('RSA key size 1024 is not supported; use one of 2048, 3072, 4096');
    await expect(createCa({ type: 'ecdsa', curve: 'p192' as never, dn: 'CN=x' })).rejects.toThrow("curve 'p192' is not supported; use one of p256, p384, p521");
    await expect(createCa({ type: 'ed25519', digest: 'sha256', dn: 'CN=x' })).rejects.toThrow('Ed25519 signatures hash internally; leave out --digest');
    await expect(createCa({ type: 'ecdsa', dn: 'CN=x', lifetimeDays: 0 })).rejects.toThrow('lifetime 0 is not a positive number of days');
    await expect(createCa({ type: 'ecdsa', dn: 'CN=x', serial: '00' })).rejects.toThrow('a serial number must be positive');
    await expect(createCa({ type: 'ecdsa', dn: 'CN=x', san: ['not a name'] })).rejects.toMatchObject({ code: 'PKI_BAD_SAN' });
  });
});
