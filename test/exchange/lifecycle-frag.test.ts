// IKE fragmentation (RFC 7383) with a 3-certificate chain: moon's
// certificate is issued by an intermediate CA, sun trusts only the root,
// so moon must send its intermediate too. fragmentation=yes|accept|no
// decide what each side announces and sends.
import { beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../src/ike/credentials.js';
import type { IkeConn } from '../../src/ike/conn.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { FRAGMENT_THRESHOLD } from '../../src/ike/protection.js';
import { createChain, type Chain } from '../../src/pki/chain.js';
import { issueCertificate, type Credential } from '../../src/pki/issue.js';
import { decodeHeader } from '../../src/wire/message.js';
import { exchangeTypeName } from '../../src/wire/iana/exchange-types.js';
import { PayloadType } from '../../src/wire/iana/payload-types.js';
import { conn } from '../ike/fixtures.js';
import { Exchange } from './harness.js';

let chain: Chain;
let sunCert: Credential;

beforeAll(async () => {
  chain = await createChain({ type: 'rsa', size: 2048, dn: 'C=CH, O=nodeswan test, CN=moon.example', san: ['moon.example'] });
  sunCert = await issueCertificate({ dn: 'C=CH, O=nodeswan test, CN=sun.example', san: ['sun.example'], type: 'rsa', size: 2048, issuer: chain.root });
}, 60_000);

async function sites(moonOverrides: Partial<IkeConn> = {}, sunOverrides: Partial<IkeConn> = {}) {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const sun = await x.side('sun', '192.0.2.2');
  const common = { localAuth: 'pubkey' as const, remoteAuth: 'pubkey' as const, sendCert: 'always' as const };
  await moon.engine.loadConns(
    [
      conn({
        name: 'site',
        ...common,
        localCert: chain.leaf.certDer,
        localId: parseIdentity('@moon.example'),
        remoteId: parseIdentity('@sun.example'),
        localTs: [tsFromCidr('198.51.100.0/24')],
        remoteTs: [tsFromCidr('203.0.113.0/24')],
        ...moonOverrides,
      }),
    ],
    { entries: [] },
    // moon holds the intermediate (as ipsec.d/cacerts would) and sends it.
    CredentialStore.fromMaterial([chain.root.certDer, chain.intermediate.certDer], [chain.leaf.privateKey]),
  );
  await sun.engine.loadConns(
    [
      conn({
        name: 'site',
        ...common,
        localAddress: '192.0.2.2',
        remoteAddress: '192.0.2.1',
        localCert: sunCert.certDer,
        localId: parseIdentity('@sun.example'),
        remoteId: parseIdentity('@moon.example'),
        localTs: [tsFromCidr('203.0.113.0/24')],
        remoteTs: [tsFromCidr('198.51.100.0/24')],
        ...sunOverrides,
      }),
    ],
    { entries: [] },
    // sun trusts only the root: moon's chain must come over the wire.
    CredentialStore.fromMaterial([chain.root.certDer], [sunCert.privateKey]),
  );
  return { x, moon, sun };
}

interface Sent {
  what: string;
  size: number;
  fragment: boolean;
}

/** Deliver everything, recording each datagram's exchange, size and whether it is an SKF fragment. */
async function runSized(x: Exchange): Promise<Sent[]> {
  const sent: Sent[] = [];
  while (x.queue.length > 0) {
    const d = x.queue[0]!;
    const h = decodeHeader(d.bytes);
    if (!h.ok) throw new Error('malformed datagram');
    const what = `${exchangeTypeName(h.value.exchangeType)} ${h.value.flags.response ? 'response' : 'request'}`;
    sent.push({ what, size: d.bytes.length, fragment: h.value.nextPayload === PayloadType.SKF });
    await x.deliver();
  }
  return sent;
}

describe('IKE fragmentation (RFC 7383) with a 3-certificate chain', () => {
  it('fragmentation=yes: IKE_AUTH with leaf + intermediate goes as fragments under the threshold, reassembled, chain verified', async () => {
    const { x, moon, sun } = await sites();
    const up = moon.engine.up('site');
    await x.settle();
    const sent = await runSized(x);
    const requests = sent.filter((s) => s.what === 'IKE_AUTH request');
    // Two RSA-2048 certificates and a signature: well over one 1280-octet path MTU.
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.every((s) => s.fragment && s.size <= FRAGMENT_THRESHOLD)).toBe(true);
    expect(requests.reduce((n, s) => n + s.size, 0)).toBeGreaterThan(2 * 700 + 256);
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(sun.engine.status().ikeSas[0]).toMatchObject({ state: 'ESTABLISHED', remoteId: 'moon.example' });
    expect(await sun.kernel.listSas()).toHaveLength(2);
  });

  it('without the intermediate on the wire the root-only peer cannot verify (the chain test can fail)', async () => {
    const { x, moon, sun } = await sites();
    // moon's store without the intermediate: it sends only its own certificate.
    await moon.engine.loadConns(
      [
        conn({
          name: 'site',
          localAuth: 'pubkey',
          remoteAuth: 'pubkey',
          sendCert: 'always',
          localCert: chain.leaf.certDer,
          localId: parseIdentity('@moon.example'),
          remoteId: parseIdentity('@sun.example'),
          localTs: [tsFromCidr('198.51.100.0/24')],
          remoteTs: [tsFromCidr('203.0.113.0/24')],
        }),
      ],
      { entries: [] },
      CredentialStore.fromMaterial([chain.root.certDer], [chain.leaf.privateKey]),
    );
    const up = moon.engine.up('site');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(false);
    expect(sun.log.join('\n')).toContain("is not issued by a trusted CA (issuer 'C=CH, O=nodeswan test, CN=nodeswan Intermediate CA'");
  });

  it('fragmentation=accept: announces and reassembles, but sends its own IKE_AUTH whole', async () => {
    const { x, moon } = await sites({ fragmentation: 'accept' });
    const up = moon.engine.up('site');
    await x.settle();
    const sent = await runSized(x);
    const requests = sent.filter((s) => s.what === 'IKE_AUTH request');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.fragment).toBe(false);
    expect(requests[0]!.size).toBeGreaterThan(FRAGMENT_THRESHOLD);
    expect((await up).error).toBeUndefined();
  });

  it('fragmentation=no on the initiator: nothing announced, the responder does not announce either, nothing fragmented', async () => {
    const { x, moon, sun } = await sites({ fragmentation: 'no' });
    const up = moon.engine.up('site');
    await x.settle();
    const sent = await runSized(x);
    expect(sent.map((s) => `${s.what}${s.fragment ? ' (fragment)' : ''}`)).toEqual([
      'IKE_SA_INIT request',
      'IKE_SA_INIT response',
      'IKE_AUTH request',
      'IKE_AUTH response',
    ]);
    expect((await up).error).toBeUndefined();
    expect(sun.engine.sas()[0]!.data.peerFragmentation).toBe(false);
    expect(moon.engine.sas()[0]!.data.peerFragmentation).toBe(false);
  });

  it('fragmentation=no on the responder: the initiator sends whole messages too', async () => {
    const { x, moon } = await sites({}, { fragmentation: 'no' });
    const up = moon.engine.up('site');
    await x.settle();
    const sent = await runSized(x);
    expect(sent.filter((s) => s.fragment)).toEqual([]);
    expect((await up).error).toBeUndefined();
  });
});
