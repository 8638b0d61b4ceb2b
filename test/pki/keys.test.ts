// Private key files: the forms written for ipsec.d/private/, and reading
// back every form admins bring (PKCS#1, SEC1, PKCS#8; PEM and DER).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeKey, exportPrivateKey, generateKey, keyInfo, loadPrivateKey, spkiDer } from '../../src/pki/index.js';
import { KEY_CASES } from './helpers/key-types.js';

describe.each(KEY_CASES)('$label key', ({ label, spec }) => {
  it('is generated with the requested size or curve and written in its usual PEM form', async () => {
    const key = await generateKey(spec);
    expect(keyInfo(key).label).toBe(label);
    const pem = exportPrivateKey(key, 'pem').toString();
    const expectedLabel = spec.type === 'rsa' ? 'RSA PRIVATE KEY' : spec.type === 'ecdsa' ? 'EC PRIVATE KEY' : 'PRIVATE KEY';
    expect(pem.startsWith(`-----BEGIN ${expectedLabel}-----\n`)).toBe(true);
    expect(spkiDer(loadPrivateKey(pem))).toEqual(spkiDer(key));
    expect(spkiDer(loadPrivateKey(exportPrivateKey(key, 'der')))).toEqual(spkiDer(key));
    const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
    expect(spkiDer(loadPrivateKey(pkcs8))).toEqual(spkiDer(key));
  });
});

describe('key files', () => {
  it('describes a key by type and identifiers, never its secret', async () => {
    const key = await generateKey({ type: 'ecdsa', curve: 'p384' });
    const d = describeKey(key);
    expect(d.key).toBe('ECDSA P-384');
    expect(d.publicKeySha1).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    const secret = key.export({ format: 'jwk' }).d!;
    expect(JSON.stringify(d)).not.toContain(secret);
  });

  it('refuses encrypted, unsupported and garbage keys with the reason', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    expect(() => loadPrivateKey(encrypted, 'k.pem')).toThrow('k.pem is encrypted; decrypt it first');
    const x448 = generateKeyPairSync('x448').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => loadPrivateKey(x448, 'x.pem')).toThrow("key type 'x448' is not supported; use RSA, ECDSA or Ed25519");
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(() => loadPrivateKey(secp256k1)).toThrow("EC curve 'secp256k1' is not supported; use one of p256, p384, p521");
    expect(() => loadPrivateKey(Buffer.from('hello'), 'junk.der')).toThrow('junk.der is neither a PEM nor a DER (PKCS#1, SEC1, PKCS#8) private key');
  });
});
