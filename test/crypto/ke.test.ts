import { createDiffieHellmanGroup } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyExchange, type KeyExchange } from '../../src/crypto/ke/key-exchange.js';
import { lookupKeGroup, supportedTransforms } from '../../src/crypto/registry/index.js';
import { KE } from '../../src/wire/iana/transforms.js';
import { rfc5903, rfc7748 } from '../vectors/crypto/ke-vectors.js';
import { publishedModpPrimes } from '../vectors/crypto/modp-primes.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function start(id: number, privateKey?: string): KeyExchange {
  const result = createKeyExchange(id, { allowWeak: true, ...(privateKey ? { privateKey: hex(privateKey) } : {}) });
  if (!result.ok) throw result.error;
  return result.value;
}

function secret(ke: KeyExchange, peer: Uint8Array): Buffer {
  const result = ke.computeSharedSecret(peer);
  if (!result.ok) throw result.error;
  return result.value;
}

describe('MODP groups', () => {
  it.each(Object.keys(publishedModpPrimes).map(Number))('group %i prime equals the RFC 2409/3526 text', (id) => {
    const group = lookupKeGroup(id, { allowWeak: true });
    if (!group.ok || group.value.kind !== 'modp') throw new Error('not a MODP group');
    const prime = createDiffieHellmanGroup(group.value.nodeGroup).getPrime();
    expect(prime.toString('hex')).toBe(publishedModpPrimes[id]!.replace(/\s+/g, '').toLowerCase());
    expect(group.value.publicValueSize).toBe(prime.length);
  });

  it('weak groups 1, 2, 5 are refused unless allowed', () => {
    for (const id of [KE.MODP_768, KE.MODP_1024, KE.MODP_1536]) {
      const refused = createKeyExchange(id);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.code).toBe('CRYPTO_WEAK_GROUP');
      expect(createKeyExchange(id, { allowWeak: true }).ok).toBe(true);
    }
  });

  it('both sides of MODP-2048 agree, secret and public value padded to 256 octets', () => {
    const a = start(KE.MODP_2048);
    const b = start(KE.MODP_2048);
    expect(a.publicValue.length).toBe(256);
    expect(secret(a, b.publicValue)).toEqual(secret(b, a.publicValue));
    expect(secret(a, b.publicValue).length).toBe(256);
  });

  it('a small private exponent gives a left-padded public value (2^2 = 4)', () => {
    const a = start(KE.MODP_2048, '02');
    const expected = Buffer.alloc(256);
    expected[255] = 4;
    expect(a.publicValue).toEqual(expected);
    // g^ab with b unknown still agrees from the other side.
    const b = start(KE.MODP_2048);
    expect(secret(b, a.publicValue)).toEqual(secret(a, b.publicValue));
  });

  it('rejects y = 0, 1, p-1, p and values >= p, and wrong lengths', () => {
    const a = start(KE.MODP_2048);
    const p = createDiffieHellmanGroup('modp14').getPrime();
    const pMinus1 = Buffer.from(p);
    pMinus1[255]! -= 1;
    const one = Buffer.alloc(256);
    one[255] = 1;
    for (const bad of [Buffer.alloc(256), one, pMinus1, p, Buffer.alloc(256, 0xff)]) {
      const result = a.computeSharedSecret(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
    }
    const short = a.computeSharedSecret(Buffer.alloc(255, 7));
    expect(!short.ok && short.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
  });

  it.each([15, 16])('group %i round-trips', (id) => {
    const a = start(id);
    const b = start(id);
    expect(secret(a, b.publicValue)).toEqual(secret(b, a.publicValue));
  });
});

describe('ECP groups (RFC 5903 §8)', () => {
  it.each([19, 20, 21] as const)('group %i: public values and shared secret match the RFC', (id) => {
    const v = rfc5903[id];
    const i = start(id, v.i);
    const r = start(id, v.r);
    expect(i.publicValue.toString('hex')).toBe(v.gix + v.giy);
    expect(r.publicValue.toString('hex')).toBe(v.grx + v.gry);
    expect(secret(i, r.publicValue).toString('hex')).toBe(v.girx);
    expect(secret(r, i.publicValue).toString('hex')).toBe(v.girx);
  });

  it.each([19, 20, 21] as const)('group %i rejects points off the curve and wrong lengths', (id) => {
    const v = rfc5903[id];
    const i = start(id);
    const offCurve = hex(v.grx + v.gry);
    offCurve[offCurve.length - 1]! ^= 1;
    const result = i.computeSharedSecret(offCurve);
    expect(!result.ok && result.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
    const withPrefix = Buffer.concat([Buffer.from([4]), hex(v.grx + v.gry)]);
    const prefixed = i.computeSharedSecret(withPrefix);
    expect(!prefixed.ok && prefixed.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
    const zeros = i.computeSharedSecret(Buffer.alloc(offCurve.length));
    expect(!zeros.ok && zeros.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
  });

  it('random ECP_256 pairs agree', () => {
    const a = start(19);
    const b = start(19);
    expect(a.publicValue.length).toBe(64);
    expect(secret(a, b.publicValue)).toEqual(secret(b, a.publicValue));
  });
});

describe('Curve25519 / Curve448 (RFC 7748 §6, RFC 8031)', () => {
  it.each([
    [KE.CURVE25519, rfc7748.x25519],
    [KE.CURVE448, rfc7748.x448],
  ] as const)('group %i: Alice/Bob vector', (id, v) => {
    const alice = start(id, v.alicePrivate);
    const bob = start(id, v.bobPrivate);
    expect(alice.publicValue.toString('hex')).toBe(v.alicePublic);
    expect(bob.publicValue.toString('hex')).toBe(v.bobPublic);
    expect(secret(alice, hex(v.bobPublic)).toString('hex')).toBe(v.shared);
    expect(secret(bob, hex(v.alicePublic)).toString('hex')).toBe(v.shared);
  });

  it.each([KE.CURVE25519, KE.CURVE448])('group %i: generated pairs agree', (id) => {
    const a = start(id);
    const b = start(id);
    expect(secret(a, b.publicValue)).toEqual(secret(b, a.publicValue));
  });

  it('refuses a low-order point (all-zero shared secret, RFC 8031 §2.3) and wrong lengths', () => {
    const a = start(KE.CURVE25519);
    const zero = a.computeSharedSecret(Buffer.alloc(32));
    expect(!zero.ok && zero.error.code).toBe('CRYPTO_KE_FAILED');
    const one = Buffer.alloc(32);
    one[0] = 1;
    const order1 = a.computeSharedSecret(one);
    expect(!order1.ok && order1.error.code).toBe('CRYPTO_KE_FAILED');
    const short = a.computeSharedSecret(Buffer.alloc(31, 9));
    expect(!short.ok && short.error.code).toBe('CRYPTO_BAD_PUBLIC_VALUE');
  });

  it('a disposed exchange refuses to derive', () => {
    const a = start(KE.CURVE25519);
    const b = start(KE.CURVE25519);
    a.dispose();
    expect(a.computeSharedSecret(b.publicValue).ok).toBe(false);
  });
});

describe('registry coverage', () => {
  it('every listed KE group can run an exchange', () => {
    for (const group of supportedTransforms.ke) {
      if (group.id >= 16 && group.id <= 18) continue; // big MODP: covered above for 15/16, slow
      const a = start(group.id);
      const b = start(group.id);
      expect(a.publicValue.length).toBe(group.publicValueSize);
      expect(secret(a, b.publicValue).length).toBe(group.sharedSecretSize);
    }
  });

  it('unknown KE IDs give a clear error, not an exception', () => {
    for (const id of [0, 3, 22, 27, 99, 1024]) {
      const result = createKeyExchange(id);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('CRYPTO_UNKNOWN_TRANSFORM');
        expect(result.error.message).toContain(String(id));
      }
    }
  });
});
