// Everything that takes peer bytes must answer with a Result, never throw:
// random and mutated inputs against SK opening, KE derivation, AUTH
// verification and AlgorithmIdentifier parsing. A seeded generator keeps
// runs reproducible.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuth } from '../../src/crypto/auth/signature-auth.js';
import { schemeForAlgorithmIdentifier } from '../../src/crypto/auth/signature-schemes.js';
import { CookieGenerator } from '../../src/crypto/cookie.js';
import { createKeyExchange } from '../../src/crypto/ke/key-exchange.js';
import { resolveCipherSuite } from '../../src/crypto/registry/index.js';
import { openMessage } from '../../src/crypto/sk-message.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import { AuthMethod } from '../../src/wire/iana/auth-methods.js';
import { ENCR, INTEG, KE } from '../../src/wire/iana/transforms.js';
import { algorithmIdentifiers } from '../vectors/crypto/rfc7427.js';

/** xorshift32: deterministic bytes for reproducible fuzzing. */
function generator(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (max: number) => next() % max,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => next() & 0xff)),
  };
}

const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(String(r.error));
  return r.value;
};

describe('peer input never throws', () => {
  it('SkCipher.open and openMessage on 20,000 random and mutated inputs', () => {
    const rnd = generator(0x5eed);
    const suites = [
      must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 })),
      must(resolveCipherSuite({ id: ENCR.AES_GCM_8, keyLength: 128 })),
      must(resolveCipherSuite({ id: ENCR.CHACHA20_POLY1305 })),
      must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA1_96)),
    ];
    let opened = 0;
    for (let i = 0; i < 20000; i++) {
      const suite = suites[i % suites.length]!;
      const cipher = must(SkCipher.create(suite, { encryptionKey: Buffer.alloc(suite.encr.keymatSize, 7), integrityKey: Buffer.alloc(suite.integ?.keySize ?? 0, 9) }));
      const aad = rnd.bytes(rnd.int(40));
      let body: Buffer;
      if (i % 2 === 0) body = rnd.bytes(rnd.int(120));
      else {
        body = cipher.seal(aad, rnd.bytes(rnd.int(60)));
        body[rnd.int(body.length)]! ^= 1 << rnd.int(8);
      }
      const r = cipher.open(aad, body);
      if (r.ok) opened++;
      const m = openMessage(Buffer.concat([aad, body]), cipher);
      expect(m.ok).toBe(false);
    }
    expect(opened).toBe(0); // no forgery among them
  });

  it('computeSharedSecret on random peer values of every length', () => {
    const rnd = generator(0xdead);
    for (const id of [KE.MODP_2048, KE.ECP_256, KE.ECP_521, KE.CURVE25519, KE.CURVE448]) {
      const ke = must(createKeyExchange(id));
      for (let i = 0; i < 300; i++) {
        const size = i % 3 === 0 ? ke.group.publicValueSize : rnd.int(ke.group.publicValueSize * 2 + 1);
        const r = ke.computeSharedSecret(rnd.bytes(size));
        if (r.ok) expect(r.value.length).toBe(ke.group.sharedSecretSize);
        else expect(r.error.code).toMatch(/^CRYPTO_(BAD_PUBLIC_VALUE|KE_FAILED)$/);
      }
    }
  });

  it('verifyAuth and schemeForAlgorithmIdentifier on random and mutated AUTH data', () => {
    const rnd = generator(0xa11);
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const ids = Object.values(algorithmIdentifiers).map((h) => Buffer.from(h, 'hex'));
    for (let i = 0; i < 5000; i++) {
      const id = Buffer.from(ids[i % ids.length]!);
      if (i % 2) id[rnd.int(id.length)]! ^= 1 << rnd.int(8);
      schemeForAlgorithmIdentifier(id);
      schemeForAlgorithmIdentifier(rnd.bytes(rnd.int(80)));
      const authData = i % 3 === 0 ? rnd.bytes(rnd.int(200)) : Buffer.concat([Buffer.from([id.length]), id, rnd.bytes(rnd.int(140))]);
      for (const method of [AuthMethod.DIGITAL_SIGNATURE, AuthMethod.ECDSA_SHA256_P256, AuthMethod.RSA_DIGITAL_SIGNATURE, 200]) {
        const r = verifyAuth({ method, publicKey: key, signedOctets: Buffer.from('x'), authData });
        expect(r.ok).toBe(false);
      }
    }
  });

  it('COOKIE verification on random cookies', () => {
    const rnd = generator(0xc00c1e);
    const jar = new CookieGenerator();
    const input = { nonceI: Buffer.alloc(32), initiatorAddress: '192.0.2.9', spiI: Buffer.alloc(8, 1) };
    for (let i = 0; i < 5000; i++) expect(jar.verify(rnd.bytes(rnd.int(70)), input).ok).toBe(false);
  });
});
