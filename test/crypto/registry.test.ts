import { describe, expect, it } from 'vitest';
import { lookupEncr, lookupInteg, lookupPrf, resolveCipherSuite, supportedTransforms } from '../../src/crypto/registry/index.js';
import { ENCR, INTEG, PRF } from '../../src/wire/iana/transforms.js';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

describe('transform registry', () => {
  it('AES-GCM-16 256 is key 32 + salt 4, rfc4106(gcm(aes)) with a 128-bit ICV', () => {
    const t = value(lookupEncr(ENCR.AES_GCM_16, 256));
    expect(t.keySize).toBe(32);
    expect(t.keymatSize).toBe(36);
    expect(t.name).toBe('AES_GCM_16_256');
    expect(t.algorithm.xfrm).toEqual({ kind: 'aead', name: 'rfc4106(gcm(aes))', icvBits: 128 });
  });

  it.each([
    [ENCR.AES_GCM_8, 64],
    [ENCR.AES_GCM_12, 96],
    [ENCR.AES_GCM_16, 128],
  ])('GCM id %i has ICV of %i bits', (id, bits) => {
    const t = value(lookupEncr(id, 128));
    expect(t.algorithm.kind === 'aead' && t.algorithm.icvSize * 8).toBe(bits);
    expect(t.algorithm.xfrm.icvBits).toBe(bits);
  });

  it('ChaCha20-Poly1305 takes no key length attribute and maps to rfc7539esp', () => {
    const t = value(lookupEncr(ENCR.CHACHA20_POLY1305));
    expect(t.keymatSize).toBe(36);
    expect(t.algorithm.xfrm.name).toBe('rfc7539esp(chacha20,poly1305)');
    const withAttr = lookupEncr(ENCR.CHACHA20_POLY1305, 256);
    expect(!withAttr.ok && withAttr.error.code).toBe('CRYPTO_BAD_KEY_LENGTH');
  });

  it('AES-CBC requires a supported key length attribute', () => {
    expect(value(lookupEncr(ENCR.AES_CBC, 192)).algorithm.xfrm).toEqual({ kind: 'enc', name: 'cbc(aes)' });
    const missing = lookupEncr(ENCR.AES_CBC);
    expect(!missing.ok && missing.error.code).toBe('CRYPTO_BAD_KEY_LENGTH');
    const odd = lookupEncr(ENCR.AES_CBC, 100);
    expect(!odd.ok && odd.error.message).toContain('128, 192, 256');
  });

  it('INTEG entries carry key size, ICV and xfrm truncation', () => {
    expect(value(lookupInteg(INTEG.HMAC_SHA1_96))).toMatchObject({ keySize: 20, icvSize: 12, xfrm: { name: 'hmac(sha1)', truncBits: 96 } });
    expect(value(lookupInteg(INTEG.HMAC_SHA2_256_128))).toMatchObject({ keySize: 32, icvSize: 16, xfrm: { name: 'hmac(sha256)', truncBits: 128 } });
    expect(value(lookupInteg(INTEG.HMAC_SHA2_384_192))).toMatchObject({ keySize: 48, icvSize: 24, xfrm: { name: 'hmac(sha384)', truncBits: 192 } });
    expect(value(lookupInteg(INTEG.HMAC_SHA2_512_256))).toMatchObject({ keySize: 64, icvSize: 32, xfrm: { name: 'hmac(sha512)', truncBits: 256 } });
  });

  it('PRF entries', () => {
    expect(value(lookupPrf(PRF.HMAC_SHA1)).outputSize).toBe(20);
    expect(value(lookupPrf(PRF.HMAC_SHA2_384)).hash).toBe('sha384');
  });

  it('unknown or unimplemented IDs are errors with the IANA name, never exceptions', () => {
    const cases = [lookupEncr(ENCR['3DES']), lookupEncr(999, 128), lookupPrf(PRF.AES128_XCBC), lookupPrf(77), lookupInteg(INTEG.AES_XCBC_96), lookupInteg(4242)];
    for (const r of cases) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('CRYPTO_UNKNOWN_TRANSFORM');
    }
    const named = lookupPrf(PRF.AES128_XCBC);
    expect(!named.ok && named.error.message).toContain('PRF_AES128_XCBC');
  });

  it('cipher suites: AEAD refuses INTEG, CBC requires it', () => {
    expect(value(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 })).integ).toBeUndefined();
    expect(value(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 }, INTEG.NONE)).integ).toBeUndefined();
    expect(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 128 }, INTEG.HMAC_SHA2_256_128).ok).toBe(false);
    expect(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }).ok).toBe(false);
    expect(value(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA2_256_128)).integ?.icvSize).toBe(16);
  });

  it('lists every family the issue asks for', () => {
    expect(supportedTransforms.encr.map((e) => e.id).sort((a, b) => a - b)).toEqual([12, 18, 19, 20, 28]);
    expect(supportedTransforms.prf.map((e) => e.id)).toEqual([2, 5, 6, 7]);
    expect(supportedTransforms.integ.map((e) => e.id)).toEqual([2, 12, 13, 14]);
    expect(supportedTransforms.ke.map((e) => e.id)).toEqual([1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32]);
  });
});
