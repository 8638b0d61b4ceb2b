import { describe, expect, it } from 'vitest';
import { resolveCipherSuite } from '../../src/crypto/registry/index.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import { Reassembly } from '../../src/ike/fragments.js';
import { sealFragments } from '../../src/ike/protection.js';
import { ENCR, ExchangeType, PayloadType, type Payload } from '../../src/wire/index.js';

function cipher(): SkCipher {
  const suite = resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 });
  if (!suite.ok) throw suite.error;
  const c = SkCipher.create(suite.value, { encryptionKey: Buffer.alloc(20, 3), integrityKey: Buffer.alloc(0) });
  if (!c.ok) throw c.error;
  return c.value;
}

const header = { spiI: Buffer.alloc(8, 1), spiR: Buffer.alloc(8, 2), exchangeType: ExchangeType.IKE_AUTH, messageId: 1, initiator: true, response: false };
const inner: Payload[] = [
  { type: PayloadType.IDi, critical: false, idType: 2, data: Buffer.from('moon.example') },
  { type: PayloadType.CERT, critical: false, encoding: 4, data: Buffer.alloc(900, 0x5a) },
  { type: PayloadType.AUTH, critical: false, method: 2, data: Buffer.alloc(32, 7) },
];

describe('IKE fragmentation (RFC 7383)', () => {
  it('reassembles fragments delivered out of order and twice', () => {
    const c = cipher();
    const fragments = sealFragments(header, inner, c, 300);
    expect(fragments.length).toBeGreaterThan(3);
    expect(fragments.every((f) => f.length <= 300)).toBe(true);
    const r = new Reassembly(1);
    const order = [...fragments].reverse();
    order.splice(1, 0, fragments[fragments.length - 1]!); // a duplicate
    const results = order.map((f) => r.add(f, c));
    const last = results[results.length - 1]!;
    expect(results.slice(0, -1).every((x) => x.kind === 'pending')).toBe(true);
    expect(last.kind).toBe('complete');
    if (last.kind !== 'complete') return;
    expect(last.payloads.map((p) => p.type)).toEqual([PayloadType.IDi, PayloadType.CERT, PayloadType.AUTH]);
    expect(last.first.equals(fragments[0]!)).toBe(true);
  });

  it('drops a forged fragment before keeping anything of it', () => {
    const c = cipher();
    const [first] = sealFragments(header, inner, c, 300);
    const forged = Buffer.from(first!);
    forged[forged.length - 1]! ^= 1;
    expect(new Reassembly(1).add(forged, c)).toMatchObject({ kind: 'drop', reason: 'bad-icv' });
  });

  it('starts over when the sender re-fragments into more pieces', () => {
    const c = cipher();
    const big = sealFragments(header, inner, c, 600);
    const small = sealFragments(header, inner, c, 300);
    const r = new Reassembly(1);
    expect(r.add(big[0]!, c).kind).toBe('pending');
    const results = small.map((f) => r.add(f, c));
    expect(results[results.length - 1]!.kind).toBe('complete');
    expect(r.add(big[1]!, c)).toMatchObject({ kind: 'drop', reason: 'stale-fragment' });
  });
});
