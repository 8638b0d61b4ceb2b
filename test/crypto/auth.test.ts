import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSignatureHashes, encodeSignatureHashes, supportedSignatureHashes } from '../../src/crypto/auth/hash-algorithms.js';
import { pskAuth, verifyPskAuth } from '../../src/crypto/auth/psk.js';
import { signAuth, verifyAuth } from '../../src/crypto/auth/signature-auth.js';
import { schemeForAlgorithmIdentifier, signatureSchemes } from '../../src/crypto/auth/signature-schemes.js';
import { signedOctets } from '../../src/crypto/auth/signed-octets.js';
import { prf } from '../../src/crypto/prf.js';
import { lookupPrf } from '../../src/crypto/registry/index.js';
import { AuthMethod, HashAlgorithm } from '../../src/wire/iana/auth-methods.js';
import { PRF } from '../../src/wire/iana/transforms.js';
import { algorithmIdentifiers, pssEmptyParameters, pssSha256WithTrailer } from '../vectors/crypto/rfc7427.js';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};
const hex = (s: string) => Buffer.from(s, 'hex');
const sha256Prf = must(lookupPrf(PRF.HMAC_SHA2_256));

describe('PSK AUTH (RFC 7296 §2.15)', () => {
  it('is prf(prf(secret, "Key Pad for IKEv2"), octets)', () => {
    const secret = Buffer.from('s3cret');
    const octets = Buffer.from('signed octets');
    const inner = prf(sha256Prf, secret, Buffer.from('Key Pad for IKEv2'));
    expect(pskAuth(sha256Prf, secret, octets)).toEqual(prf(sha256Prf, inner, octets));
    must(verifyPskAuth(sha256Prf, secret, octets, pskAuth(sha256Prf, secret, octets)));
  });

  it('refuses a wrong, shorter or longer AUTH', () => {
    const good = pskAuth(sha256Prf, Buffer.from('a'), Buffer.from('b'));
    for (const bad of [Buffer.from(good).fill(0), good.subarray(1), Buffer.concat([good, Buffer.alloc(1)])]) {
      const r = verifyPskAuth(sha256Prf, Buffer.from('a'), Buffer.from('b'), bad);
      expect(!r.ok && r.error.code).toBe('CRYPTO_AUTH_FAILED');
    }
  });

  it('signed octets = message | peer nonce | prf(SK_p, ID body)', () => {
    const parts = { realMessage: hex('aa'.repeat(40)), peerNonce: hex('bb'.repeat(32)), skP: hex('cc'.repeat(32)), idPayloadBody: hex('02000000') };
    const octets = signedOctets({ prf: sha256Prf, ...parts });
    expect(octets).toEqual(Buffer.concat([parts.realMessage, parts.peerNonce, prf(sha256Prf, parts.skP, parts.idPayloadBody)]));
  });
});

describe('RFC 7427 AlgorithmIdentifiers', () => {
  it('we send exactly the published encodings', () => {
    for (const [name, der] of Object.entries(algorithmIdentifiers)) {
      const scheme = signatureSchemes.find((s) => s.name === name)!;
      expect(scheme.algorithmIdentifier.toString('hex')).toBe(der);
      expect(schemeForAlgorithmIdentifier(hex(der))?.name).toBe(name);
    }
  });

  it('PSS parameters are parsed, not just compared', () => {
    expect(schemeForAlgorithmIdentifier(hex(pssSha256WithTrailer))?.name).toBe('rsa-pss-sha256');
    expect(schemeForAlgorithmIdentifier(hex(pssEmptyParameters))).toBeUndefined();
  });

  it('ECDSA with an explicit NULL and RSA without it are tolerated; garbage is not', () => {
    expect(schemeForAlgorithmIdentifier(hex('300c06082a8648ce3d0403020500'))?.name).toBe('ecdsa-sha256');
    expect(schemeForAlgorithmIdentifier(hex('300b06092a864886f70d01010b'))?.name).toBe('rsa-pkcs1-sha256');
    for (const junk of ['', '30', '3005', '300506032b6572', '0500', '300d06092a864886f70d01010b05']) expect(schemeForAlgorithmIdentifier(hex(junk))).toBeUndefined();
  });

  it('SIGNATURE_HASH_ALGORITHMS notify data round-trips', () => {
    const data = encodeSignatureHashes();
    expect(data.toString('hex')).toBe('0002000300040005');
    expect(decodeSignatureHashes(data)).toEqual([...supportedSignatureHashes]);
    expect(decodeSignatureHashes(hex('000100'))).toEqual([HashAlgorithm.SHA1]);
  });
});

describe('signature AUTH', () => {
  const octets = Buffer.from('InitiatorSignedOctets stand-in');
  let keys: Record<string, { privateKey: KeyObject; publicKey: KeyObject }>;

  beforeAll(() => {
    keys = {
      rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
      p256: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
      p384: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
      p521: generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
      ed25519: generateKeyPairSync('ed25519'),
      ed448: generateKeyPairSync('ed448'),
    };
  });

  const keyFor = (scheme: string) =>
    scheme.startsWith('rsa') ? keys.rsa! : scheme === 'ecdsa-sha384' ? keys.p384! : scheme === 'ecdsa-sha512' ? keys.p521! : scheme.startsWith('ecdsa') ? keys.p256! : keys[scheme]!;

  it.each(signatureSchemes.map((s) => s.name))('method 14 with %s signs and verifies; a changed octet fails', (name) => {
    const pair = keyFor(name);
    const data = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: pair.privateKey, signedOctets: octets, scheme: name }));
    const scheme = signatureSchemes.find((s) => s.name === name)!;
    expect(data[0]).toBe(scheme.algorithmIdentifier.length);
    expect(data.subarray(1, 1 + data[0]!)).toEqual(scheme.algorithmIdentifier);
    const allowedHashes = [HashAlgorithm.SHA1, ...supportedSignatureHashes];
    expect(must(verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: pair.publicKey, signedOctets: octets, authData: data, allowedHashes })).scheme).toBe(name);
    const tampered = Buffer.from(octets);
    tampered[0]! ^= 1;
    const r = verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: pair.publicKey, signedOctets: tampered, authData: data, allowedHashes });
    expect(!r.ok && r.error.code).toBe('CRYPTO_AUTH_FAILED');
  });

  it('RSASSA-PSS with a salt length other than the hash length verifies with that salt', () => {
    const salt20 = hex(algorithmIdentifiers['rsa-pss-sha256'].replace(/a203020120$/, 'a203020114'));
    const signature = sign('sha256', octets, { key: keys.rsa!.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    const authData = Buffer.concat([Buffer.from([salt20.length]), salt20, signature]);
    const result = must(verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData }));
    expect(result.scheme).toBe('rsa-pss-sha256');
    expect(schemeForAlgorithmIdentifier(salt20)?.saltLength).toBe(20);
    // The same signature announced with salt 32 fails.
    const salt32 = hex(algorithmIdentifiers['rsa-pss-sha256']);
    const wrong = Buffer.concat([Buffer.from([salt32.length]), salt32, signature]);
    expect(verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData: wrong }).ok).toBe(false);
  });

  it('a hash we did not announce is refused (SHA-1 by default)', () => {
    const data = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: keys.rsa!.privateKey, signedOctets: octets, scheme: 'rsa-pkcs1-sha1' }));
    const r = verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData: data });
    expect(!r.ok && r.error.code).toBe('CRYPTO_AUTH_UNSUPPORTED');
  });

  it('default schemes follow the key type', () => {
    const ec = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: keys.p384!.privateKey, signedOctets: octets }));
    expect(ec.subarray(1, 1 + ec[0]!).toString('hex')).toBe(algorithmIdentifiers['ecdsa-sha384']);
    const ed = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: keys.ed25519!.privateKey, signedOctets: octets }));
    expect(ed.length).toBe(1 + 7 + 64);
  });

  it.each([
    [AuthMethod.ECDSA_SHA256_P256, 'p256', 64],
    [AuthMethod.ECDSA_SHA384_P384, 'p384', 96],
    [AuthMethod.ECDSA_SHA512_P521, 'p521', 132],
  ] as const)('classic method %i uses r|s of %s (%i octets)', (method, key, size) => {
    const data = must(signAuth({ method, privateKey: keys[key]!.privateKey, signedOctets: octets }));
    expect(data.length).toBe(size);
    must(verifyAuth({ method, publicKey: keys[key]!.publicKey, signedOctets: octets, authData: data }));
    const wrongCurve = signAuth({ method, privateKey: keys[key === 'p256' ? 'p384' : 'p256']!.privateKey, signedOctets: octets });
    expect(!wrongCurve.ok && wrongCurve.error.code).toBe('CRYPTO_SIGN_FAILED');
  });

  it('classic method 1 is RSASSA-PKCS1-v1_5 with SHA-1', () => {
    const data = must(signAuth({ method: AuthMethod.RSA_DIGITAL_SIGNATURE, privateKey: keys.rsa!.privateKey, signedOctets: octets }));
    expect(data.length).toBe(256);
    must(verifyAuth({ method: AuthMethod.RSA_DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData: data }));
    // The same bytes are not valid as a SHA-256 RFC 7427 signature.
    const id = hex(algorithmIdentifiers['rsa-pkcs1-sha256']);
    const asSha256 = Buffer.concat([Buffer.from([id.length]), id, data]);
    expect(verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData: asSha256 }).ok).toBe(false);
  });

  it('malformed AUTH data is an error value, never an exception', () => {
    const pub = keys.p256!.publicKey;
    const cases = ['', '05', '0c300a06082a8648ce3d040302', '07300506032b6570ff', 'ff' + '00'.repeat(10)];
    for (const c of cases) {
      const r = verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: pub, signedOctets: octets, authData: hex(c) });
      expect(r.ok).toBe(false);
    }
    const garbageSig = Buffer.concat([hex('0c300a06082a8648ce3d040302'), Buffer.alloc(70, 0x30)]);
    const r = verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: pub, signedOctets: octets, authData: garbageSig });
    expect(!r.ok && r.error.code).toBe('CRYPTO_AUTH_FAILED');
    const unknownMethod = verifyAuth({ method: 99, publicKey: pub, signedOctets: octets, authData: hex('00') });
    expect(!unknownMethod.ok && unknownMethod.error.code).toBe('CRYPTO_AUTH_UNSUPPORTED');
  });

  it('a signature scheme that does not fit the key is refused', () => {
    const r = signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: keys.p256!.privateKey, signedOctets: octets, scheme: 'rsa-pss-sha256' });
    expect(!r.ok && r.error.code).toBe('CRYPTO_SIGN_FAILED');
    const ed = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: keys.ed25519!.privateKey, signedOctets: octets }));
    const v = verifyAuth({ method: AuthMethod.DIGITAL_SIGNATURE, publicKey: keys.rsa!.publicKey, signedOctets: octets, authData: ed });
    expect(!v.ok && v.error.code).toBe('CRYPTO_AUTH_FAILED');
  });
});
