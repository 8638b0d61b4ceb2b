import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lookupEncr, resolveCipherSuite, type CipherSuite } from '../../src/crypto/registry/index.js';
import { aeadKey, aeadOpen, aeadSeal } from '../../src/crypto/sk/aead.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import { ENCR, INTEG } from '../../src/wire/iana/transforms.js';
import { aeadVectors, rfc7634IkeExample } from '../vectors/crypto/aead-vectors.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

describe('AEAD vectors (McGrew-Viega GCM in RFC 4106 layout, RFC 7634, RFC 8439)', () => {
  for (const v of aeadVectors) {
    it(v.name, () => {
      const encr = must(lookupEncr(v.encrId, v.encrId === ENCR.CHACHA20_POLY1305 ? undefined : v.keyBits));
      const key = aeadKey(encr, hex(v.keymat))!;
      expect(aeadSeal(key, hex(v.iv), hex(v.aad), hex(v.plaintext)).toString('hex')).toBe(v.sealed);
      expect(must(aeadOpen(key, hex(v.iv), hex(v.aad), hex(v.sealed))).toString('hex')).toBe(v.plaintext);
      const tampered = hex(v.sealed);
      tampered[0]! ^= 0x80;
      expect(aeadOpen(key, hex(v.iv), hex(v.aad), tampered).ok).toBe(false);
    });
  }
});

describe('SkCipher on the RFC 7634 Appendix B IKEv2 message', () => {
  const suite = must(resolveCipherSuite({ id: ENCR.CHACHA20_POLY1305 }));
  const keys = { encryptionKey: hex(rfc7634IkeExample.keymat), integrityKey: Buffer.alloc(0) };

  it('seals to the published body and opens it back', () => {
    const cipher = must(SkCipher.create(suite, keys, { nextIv: () => hex(rfc7634IkeExample.iv) }));
    const aad = hex(rfc7634IkeExample.associatedData);
    const inner = hex(rfc7634IkeExample.innerPayloads);
    const body = cipher.seal(aad, inner);
    expect(body.toString('hex')).toBe(rfc7634IkeExample.iv + rfc7634IkeExample.sealed);
    // The header's length field (0x45 = 69) is the whole message: 32 + body.
    expect(aad.length + cipher.bodyLength(inner.length)).toBe(0x45);
    expect(must(cipher.open(aad, body))).toEqual(inner);
  });

  it('a flipped bit in the header (associated data) fails the ICV', () => {
    const cipher = must(SkCipher.create(suite, keys));
    const aad = hex(rfc7634IkeExample.associatedData);
    const body = hex(rfc7634IkeExample.iv + rfc7634IkeExample.sealed);
    aad[19]! ^= 1; // message ID
    const result = cipher.open(aad, body);
    expect(!result.ok && result.error.code).toBe('CRYPTO_INTEGRITY_FAILED');
  });
});

const suites: Array<[string, CipherSuite]> = [
  ['AES_CBC_128 + SHA1_96', must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA1_96))],
  ['AES_CBC_256 + SHA2_512_256', must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 256 }, INTEG.HMAC_SHA2_512_256))],
  ['AES_GCM_8_128', must(resolveCipherSuite({ id: ENCR.AES_GCM_8, keyLength: 128 }))],
  ['AES_GCM_12_192', must(resolveCipherSuite({ id: ENCR.AES_GCM_12, keyLength: 192 }))],
  ['AES_GCM_16_256', must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 }))],
  ['CHACHA20_POLY1305', must(resolveCipherSuite({ id: ENCR.CHACHA20_POLY1305 }))],
];

const keysFor = (suite: CipherSuite) => ({
  encryptionKey: Buffer.alloc(suite.encr.keymatSize, 0x42),
  integrityKey: Buffer.alloc(suite.integ?.keySize ?? 0, 0x24),
});

describe.each(suites)('SkCipher %s', (_name, suite) => {
  const aad = Buffer.alloc(32, 7);

  it('round-trips payload chains of every length 0..70 with the body length it announced', () => {
    const cipher = must(SkCipher.create(suite, keysFor(suite)));
    for (let n = 0; n <= 70; n++) {
      const inner = Buffer.alloc(n, n);
      const body = cipher.seal(aad, inner);
      expect(body.length).toBe(cipher.bodyLength(n));
      expect(must(cipher.open(aad, body))).toEqual(inner);
    }
  });

  it('rejects any single flipped bit in IV, ciphertext or ICV', () => {
    const cipher = must(SkCipher.create(suite, keysFor(suite)));
    const body = cipher.seal(aad, Buffer.from('inner payloads'));
    for (let i = 0; i < body.length; i++) {
      const bad = Buffer.from(body);
      bad[i]! ^= 0x01;
      const result = cipher.open(aad, bad);
      expect(!result.ok && result.error.code).toBe('CRYPTO_INTEGRITY_FAILED');
    }
  });

  it('rejects truncated bodies without throwing', () => {
    const cipher = must(SkCipher.create(suite, keysFor(suite)));
    const body = cipher.seal(aad, Buffer.from('x'));
    for (let n = 0; n < body.length; n++) expect(cipher.open(aad, body.subarray(0, n)).ok).toBe(false);
  });

  it('never reuses an IV within one cipher', () => {
    const cipher = must(SkCipher.create(suite, keysFor(suite)));
    const ivSize = suite.encr.algorithm.ivSize;
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(cipher.seal(aad, Buffer.alloc(4)).subarray(0, ivSize).toString('hex'));
    expect(seen.size).toBe(1000);
  });

  it('refuses keys of the wrong size', () => {
    const keys = keysFor(suite);
    const r = SkCipher.create(suite, { ...keys, encryptionKey: keys.encryptionKey.subarray(1) });
    expect(!r.ok && r.error.code).toBe('CRYPTO_BAD_KEY');
  });
});

describe('SkCipher CBC details', () => {
  const suite = must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA2_256_128));
  const keys = keysFor(suite);

  it('ICV is HMAC over header | IV | ciphertext, truncated, and the plaintext is padded to the block', () => {
    const cipher = must(SkCipher.create(suite, keys, { nextIv: () => Buffer.alloc(16, 0xa5) }));
    const aad = Buffer.alloc(32, 1);
    const body = cipher.seal(aad, Buffer.alloc(20, 9));
    expect(body.length).toBe(16 + 32 + 16); // 20 + pad 11 + padlen 1 = 32
    const icv = createHmac('sha256', keys.integrityKey).update(aad).update(body.subarray(0, 48)).digest().subarray(0, 16);
    expect(body.subarray(48)).toEqual(icv);
  });

  it('a CBC suite without INTEG is refused when building the cipher', () => {
    const r = SkCipher.create({ encr: suite.encr }, { encryptionKey: keys.encryptionKey, integrityKey: Buffer.alloc(0) });
    expect(!r.ok && r.error.code).toBe('CRYPTO_UNKNOWN_TRANSFORM');
  });

  it('a Pad Length larger than the plaintext is malformed, not a crash', () => {
    // Hand-built body: one block whose last octet (Pad Length) is 0xff, with a valid ICV.
    const iv = Buffer.alloc(16, 3);
    const aes = createCipheriv('aes-128-cbc', keys.encryptionKey, iv).setAutoPadding(false);
    const ciphertext = Buffer.concat([aes.update(Buffer.alloc(16, 0xff)), aes.final()]);
    const aad = Buffer.alloc(32);
    const icv = createHmac('sha256', keys.integrityKey).update(aad).update(iv).update(ciphertext).digest().subarray(0, 16);
    const cipher = must(SkCipher.create(suite, keys));
    const result = cipher.open(aad, Buffer.concat([iv, ciphertext, icv]));
    expect(!result.ok && result.error.code).toBe('CRYPTO_SK_MALFORMED');
    // The boundary case, an empty inner chain, is fine.
    expect(must(cipher.open(aad, cipher.seal(aad, Buffer.alloc(0)))).length).toBe(0);
  });
});
