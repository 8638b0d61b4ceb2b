import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveChildSaKeys } from '../../src/crypto/child-sa-keys.js';
import { deriveIkeSaKeys, deriveRekeyedIkeSaKeys, expandIkeSaKeys, initialSkeyseed, rekeySkeyseed } from '../../src/crypto/ike-sa-keys.js';
import { prf, prfPlus } from '../../src/crypto/prf.js';
import { lookupInteg, lookupPrf, resolveCipherSuite, type PrfAlgorithm } from '../../src/crypto/registry/index.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import { ENCR, INTEG, PRF } from '../../src/wire/iana/transforms.js';
import { authVectors, prfVectors, sha1Vectors } from '../vectors/crypto/rfc4868.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};
const prfOf = (id: number) => must(lookupPrf(id));
const SHA = { sha256: PRF.HMAC_SHA2_256, sha384: PRF.HMAC_SHA2_384, sha512: PRF.HMAC_SHA2_512 } as const;
const INTEG_ID = { sha256: INTEG.HMAC_SHA2_256_128, sha384: INTEG.HMAC_SHA2_384_192, sha512: INTEG.HMAC_SHA2_512_256 } as const;

describe('RFC 4868 vectors', () => {
  for (const v of prfVectors)
    for (const hash of ['sha256', 'sha384', 'sha512'] as const)
      it(`${v.name} PRF_HMAC_${hash}`, () => {
        expect(prf(prfOf(SHA[hash]), hex(v.key), hex(v.data)).toString('hex')).toBe(v[hash]);
      });

  for (const v of authVectors)
    for (const hash of ['sha256', 'sha384', 'sha512'] as const)
      it(`${v.name} INTEG ${hash}: SK payload ICV is the truncated HMAC`, () => {
        // The ICV is what SkCipher appends for CBC suites: check the truncation through the registry sizes.
        const integ = must(lookupInteg(INTEG_ID[hash]));
        const key = hex(v.keys[hash]);
        expect(key.length).toBe(integ.keySize);
        const icv = createHmac(integ.hash, key).update(hex(v.data)).digest().subarray(0, integ.icvSize);
        expect(icv.toString('hex')).toBe(v[hash]);
      });
});

describe('HMAC-SHA-1 (RFC 2202 vectors)', () => {
  for (const v of sha1Vectors)
    it(`${v.name}: PRF_HMAC_SHA1 and the 96-bit INTEG truncation`, () => {
      expect(prf(prfOf(PRF.HMAC_SHA1), hex(v.key), hex(v.data)).toString('hex')).toBe(v.digest);
      const integ = must(lookupInteg(INTEG.HMAC_SHA1_96));
      expect(createHmac(integ.hash, hex(v.key)).update(hex(v.data)).digest().subarray(0, integ.icvSize).toString('hex')).toBe(v.digest.slice(0, 24));
    });
});

/** prf+ written out literally from RFC 7296 §2.13, to check the optimized one against. */
function referencePrfPlus(alg: PrfAlgorithm, key: Buffer, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let n = 1; Buffer.concat(blocks).length < length; n++) {
    t = prf(alg, key, Buffer.concat([t, seed, Buffer.from([n])]));
    blocks.push(t);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('prf+', () => {
  it('matches the §2.13 definition for odd lengths and every PRF', () => {
    for (const id of [PRF.HMAC_SHA1, PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_512]) {
      const alg = prfOf(id);
      for (const length of [1, 20, 33, 100, 257]) {
        expect(must(prfPlus(alg, hex('0102'), hex('aabbcc'), length))).toEqual(referencePrfPlus(alg, hex('0102'), hex('aabbcc'), length));
      }
    }
  });

  it('refuses more than 255 blocks', () => {
    const alg = prfOf(PRF.HMAC_SHA1);
    expect(must(prfPlus(alg, hex('01'), hex('02'), 255 * 20)).length).toBe(5100);
    const over = prfPlus(alg, hex('01'), hex('02'), 255 * 20 + 1);
    expect(!over.ok && over.error.code).toBe('CRYPTO_PRF_PLUS_EXHAUSTED');
  });
});

describe('IKE SA keys (RFC 7296 §2.14, §2.18)', () => {
  const ni = hex('11'.repeat(32));
  const nr = hex('22'.repeat(32));
  const spiI = hex('0102030405060708');
  const spiR = hex('1112131415161718');
  const gir = hex('33'.repeat(256));

  it('CBC + HMAC suite: seven keys of the right sizes, in order', () => {
    const alg = prfOf(PRF.HMAC_SHA2_256);
    const suite = must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 256 }, INTEG.HMAC_SHA2_256_128));
    const keys = must(deriveIkeSaKeys({ prf: alg, suite, nonceI: ni, nonceR: nr, spiI, spiR, sharedSecret: gir }));
    const skeyseed = prf(alg, Buffer.concat([ni, nr]), gir);
    expect(initialSkeyseed(alg, ni, nr, gir)).toEqual(skeyseed);
    const stream = referencePrfPlus(alg, skeyseed, Buffer.concat([ni, nr, spiI, spiR]), 32 + 32 + 32 + 32 + 32 + 32 + 32);
    expect(Buffer.concat([keys.skD, keys.skAi, keys.skAr, keys.skEi, keys.skEr, keys.skPi, keys.skPr])).toEqual(stream);
    expect([keys.skD, keys.skAi, keys.skEi, keys.skPi].map((k) => k.length)).toEqual([32, 32, 32, 32]);
  });

  it('AEAD suite: no SK_a, SK_e carries the salt', () => {
    const alg = prfOf(PRF.HMAC_SHA2_384);
    const suite = must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 }));
    const keys = must(deriveIkeSaKeys({ prf: alg, suite, nonceI: ni, nonceR: nr, spiI, spiR, sharedSecret: gir }));
    expect(keys.skAi.length).toBe(0);
    expect(keys.skEi.length).toBe(36);
    expect(keys.skD.length).toBe(48);
    const skeyseed = initialSkeyseed(alg, ni, nr, gir);
    const stream = referencePrfPlus(alg, skeyseed, Buffer.concat([ni, nr, spiI, spiR]), 48 + 36 + 36 + 48 + 48);
    expect(Buffer.concat([keys.skD, keys.skEi, keys.skEr, keys.skPi, keys.skPr])).toEqual(stream);
  });

  it('rekey uses the OLD prf for SKEYSEED and the new one for prf+', () => {
    const oldPrf = prfOf(PRF.HMAC_SHA1);
    const newPrf = prfOf(PRF.HMAC_SHA2_512);
    const suite = must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 }));
    const oldSkD = hex('44'.repeat(20));
    const keys = must(deriveRekeyedIkeSaKeys({ prf: newPrf, oldPrf, oldSkD, suite, nonceI: ni, nonceR: nr, spiI, spiR, sharedSecret: gir }));
    const skeyseed = createHmac('sha1', oldSkD).update(Buffer.concat([gir, ni, nr])).digest();
    expect(rekeySkeyseed(oldPrf, oldSkD, gir, ni, nr)).toEqual(skeyseed);
    expect(keys.skD).toEqual(referencePrfPlus(newPrf, skeyseed, Buffer.concat([ni, nr, spiI, spiR]), 64));
  });

  it('dispose zeroes every key', () => {
    const suite = must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA1_96));
    const keys = must(deriveIkeSaKeys({ prf: prfOf(PRF.HMAC_SHA1), suite, nonceI: ni, nonceR: nr, spiI, spiR, sharedSecret: gir }));
    keys.dispose();
    for (const k of [keys.skD, keys.skAi, keys.skAr, keys.skEi, keys.skEr, keys.skPi, keys.skPr]) expect(k.every((b) => b === 0)).toBe(true);
  });

  it('rejects SPIs that are not 8 octets', () => {
    const suite = must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 }));
    const r = expandIkeSaKeys(hex('00'), { prf: prfOf(PRF.HMAC_SHA1), suite, nonceI: ni, nonceR: nr, spiI: hex('01'), spiR });
    expect(!r.ok && r.error.code).toBe('CRYPTO_BAD_KEY');
  });
});

describe('CHILD SA KEYMAT (RFC 7296 §2.17)', () => {
  const alg = prfOf(PRF.HMAC_SHA2_256);
  const skD = hex('55'.repeat(32));
  const ni = hex('66'.repeat(32));
  const nr = hex('77'.repeat(32));

  it('without PFS: encr i->r, integ i->r, encr r->i, integ r->i', () => {
    const suite = must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA2_256_128));
    const keys = must(deriveChildSaKeys({ prf: alg, skD, suite, nonceI: ni, nonceR: nr }));
    const keymat = referencePrfPlus(alg, skD, Buffer.concat([ni, nr]), 2 * (16 + 32));
    expect(keys.initiatorToResponder.encryptionKey).toEqual(keymat.subarray(0, 16));
    expect(keys.initiatorToResponder.integrityKey).toEqual(keymat.subarray(16, 48));
    expect(keys.responderToInitiator.encryptionKey).toEqual(keymat.subarray(48, 64));
    expect(keys.responderToInitiator.integrityKey).toEqual(keymat.subarray(64, 96));
  });

  it('with PFS: g^ir (new) precedes the nonces; AEAD key includes the salt', () => {
    const suite = must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 }));
    const gir = hex('88'.repeat(32));
    const keys = must(deriveChildSaKeys({ prf: alg, skD, suite, nonceI: ni, nonceR: nr, sharedSecret: gir }));
    const keymat = referencePrfPlus(alg, skD, Buffer.concat([gir, ni, nr]), 72);
    expect(keys.initiatorToResponder.encryptionKey).toEqual(keymat.subarray(0, 36));
    expect(keys.initiatorToResponder.integrityKey.length).toBe(0);
    expect(keys.responderToInitiator.encryptionKey).toEqual(keymat.subarray(36, 72));
    keys.dispose();
    expect(keys.responderToInitiator.encryptionKey.every((b) => b === 0)).toBe(true);
  });

  it('IKE SA keys feed SkCipher in both directions', () => {
    const suite = must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA2_256_128));
    const keys = must(deriveIkeSaKeys({ prf: alg, suite, nonceI: ni, nonceR: nr, spiI: hex('0102030405060708'), spiR: hex('0807060504030201'), sharedSecret: hex('99'.repeat(32)) }));
    const sender = must(SkCipher.create(suite, { encryptionKey: keys.skEi, integrityKey: keys.skAi }));
    const receiver = must(SkCipher.create(suite, { encryptionKey: keys.skEi, integrityKey: keys.skAi }));
    const aad = hex('00'.repeat(32));
    expect(must(receiver.open(aad, sender.seal(aad, hex('abcdef'))))).toEqual(hex('abcdef'));
  });
});
