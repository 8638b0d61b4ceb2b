import { describe, expect, it } from 'vitest';
import type { KeyObject } from 'node:crypto';
import { CredentialStore } from '../../src/ike/credentials.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { createCa, issueCertificate, type Credential } from '../../src/pki/issue.js';
import { conn } from '../ike/fixtures.js';
import { Exchange } from './harness.js';

interface Pki {
  ca: Credential;
  moon: Credential;
  sun: Credential;
}

async function pki(type: 'ecdsa' | 'rsa'): Promise<Pki> {
  const ca = await createCa({ dn: 'C=CH, O=nodeswan test, CN=Test Root CA', type, size: 2048 });
  const issuer = { cert: ca.cert, key: ca.privateKey };
  const moon = await issueCertificate({ dn: 'C=CH, O=nodeswan test, CN=moon.example', san: ['moon.example'], type, size: 2048, issuer });
  const sun = await issueCertificate({ dn: 'C=CH, O=nodeswan test, CN=sun.example', san: ['sun.example'], type, size: 2048, issuer });
  return { ca, moon, sun };
}

function store(ca: Credential, keys: KeyObject[]): CredentialStore {
  return CredentialStore.fromMaterial([ca.certDer], keys);
}

async function sites(p: Pki, opts: { sunTrusts?: Credential[]; moonId?: string; sunRemoteCa?: string } = {}) {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const sun = await x.side('sun', '192.0.2.2');
  const common = { localAuth: 'pubkey' as const, remoteAuth: 'pubkey' as const };
  await moon.engine.loadConns(
    [
      conn({
        name: 'site',
        ...common,
        localCert: p.moon.certDer,
        localId: parseIdentity(opts.moonId ?? 'C=CH, O=nodeswan test, CN=moon.example'),
        remoteId: parseIdentity('@sun.example'),
        localTs: [tsFromCidr('198.51.100.0/24')],
        remoteTs: [tsFromCidr('203.0.113.0/24')],
      }),
    ],
    { entries: [] },
    store(p.ca, [p.moon.privateKey]),
  );
  await sun.engine.loadConns(
    [
      conn({
        name: 'site',
        ...common,
        localAddress: '192.0.2.2',
        remoteAddress: '192.0.2.1',
        localCert: p.sun.certDer,
        localId: parseIdentity('@sun.example'),
        remoteId: parseIdentity('C=CH, O=nodeswan test, CN=*'),
        localTs: [tsFromCidr('203.0.113.0/24')],
        remoteTs: [tsFromCidr('198.51.100.0/24')],
        ...(opts.sunRemoteCa ? { remoteCa: opts.sunRemoteCa === '%same' ? ('same' as const) : parseIdentity(opts.sunRemoteCa) } : {}),
      }),
    ],
    { entries: [] },
    CredentialStore.fromMaterial((opts.sunTrusts ?? [p.ca]).map((c) => c.certDer), [p.sun.privateKey]),
  );
  return { x, moon, sun };
}

describe('certificates (RFC 7427 signatures)', () => {
  for (const type of ['ecdsa', 'rsa'] as const) {
    it(`site-to-site tunnel with ${type} certificates, DN and FQDN identities`, async () => {
      const p = await pki(type);
      const { x, moon, sun } = await sites(p);
      const up = moon.engine.up('site');
      await x.settle();
      const wire = await x.run();
      // RSA certificates and signatures push IKE_AUTH past the 1228-octet
      // threshold: both sides send it as RFC 7383 fragments and reassemble.
      const authPieces = type === 'rsa' ? 2 : 1;
      expect(wire.filter((l) => l.startsWith('IKE_AUTH request'))).toHaveLength(authPieces);
      expect(wire.filter((l) => l.startsWith('IKE_AUTH response'))).toHaveLength(authPieces);
      const result = await up;
      expect(result.error).toBeUndefined();
      expect(result.ikeSa).toMatchObject({ localId: 'C=CH, O=nodeswan test, CN=moon.example', remoteId: 'sun.example', state: 'ESTABLISHED' });
      expect(sun.engine.status().ikeSas[0]).toMatchObject({ remoteId: 'C=CH, O=nodeswan test, CN=moon.example', localId: 'sun.example' });
      expect(result.ikeSa?.children[0]).toMatchObject({ localTs: ['198.51.100.0/24'], remoteTs: ['203.0.113.0/24'], mode: 'tunnel' });
      expect(await sun.kernel.listSas()).toHaveLength(2);
    });
  }

  it('refuses a certificate from an untrusted CA, naming it', async () => {
    const p = await pki('ecdsa');
    const other = await createCa({ dn: 'C=CH, O=elsewhere, CN=Other CA', type: 'ecdsa' });
    const { x, moon, sun } = await sites(p, { sunTrusts: [other] });
    const up = moon.engine.up('site');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^AUTHENTICATION_FAILED: peer 192.0.2.2 rejected our certificate authentication/);
    expect(sun.log.join('\n')).toContain("is not issued by a trusted CA (issuer 'C=CH, O=nodeswan test, CN=Test Root CA' is not in cacerts/)");
  });

  it('refuses an ID the certificate does not contain', async () => {
    const p = await pki('ecdsa');
    const { x, moon, sun } = await sites(p, { moonId: 'C=CH, O=nodeswan test, CN=mallory.example' });
    const up = moon.engine.up('site');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(false);
    expect(sun.log.join('\n')).toContain("peer ID 'C=CH, O=nodeswan test, CN=mallory.example' is not in its certificate 'C=CH, O=nodeswan test, CN=moon.example'");
  });

  it('rightca: a certificate from another trusted CA is refused, naming the chain; the required CA and %same pass', async () => {
    const p = await pki('ecdsa');
    const other = await createCa({ dn: 'C=CH, O=elsewhere, CN=Other CA', type: 'ecdsa' });
    const attempt = async (sunRemoteCa: string) => {
      const { x, moon, sun } = await sites(p, { sunTrusts: [other, p.ca], sunRemoteCa });
      const up = moon.engine.up('site');
      await x.settle();
      await x.run();
      return { result: await up, sunLog: sun.log.join('\n') };
    };
    const refused = await attempt('C=CH, O=elsewhere, CN=Other CA');
    expect(refused.result.ok).toBe(false);
    expect(refused.sunLog).toContain(
      "certificate 'C=CH, O=nodeswan test, CN=moon.example': its chain (C=CH, O=nodeswan test, CN=Test Root CA) does not pass through rightca 'C=CH, O=elsewhere, CN=Other CA' of conn 'site'",
    );
    expect((await attempt('C=CH, O=nodeswan test, CN=Test Root CA')).result.ok).toBe(true);
    // Spelling of the DN does not matter.
    expect((await attempt('c=CH,o=nodeswan test,cn=Test Root CA')).result.ok).toBe(true);
    // %same: the CA that issued sun's own certificate.
    expect((await attempt('%same')).result.ok).toBe(true);
  });
});
