// One AEAD operation as IKEv2 and ESP use it (RFC 5282 §4-5 for AES-GCM,
// RFC 7634 §2 for ChaCha20-Poly1305): keying material is key || 4-octet salt,
// the nonce is salt || 8-octet IV, the ICV follows the ciphertext.

import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { fail, ok, type Result } from '../errors.js';
import type { AeadEncr, EncrTransform } from '../registry/index.js';

export interface AeadKey {
  readonly cipher: string;
  readonly key: Buffer;
  readonly salt: Buffer;
  readonly icvSize: number;
}

/**
 * Splits keying material for an AEAD transform; undefined if it is not AEAD
 * or the size is wrong. Key and salt are views of `keymat` (no copies of
 * secrets): whoever owns the keying material zeroes it.
 */
export function aeadKey(encr: EncrTransform, keymat: Uint8Array): AeadKey | undefined {
  if (encr.algorithm.kind !== 'aead' || keymat.length !== encr.keymatSize) return undefined;
  const algorithm: AeadEncr = encr.algorithm;
  return {
    cipher: algorithm.nodeCipher(encr.keyBits),
    key: asBuffer(keymat).subarray(0, encr.keySize),
    salt: asBuffer(keymat).subarray(encr.keySize),
    icvSize: algorithm.icvSize,
  };
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));

/** Nonce = salt || IV (RFC 5282 §4, RFC 7634 §2). */
function nonce(key: AeadKey, iv: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(key.salt.length + iv.length);
  key.salt.copy(out, 0);
  out.set(iv, key.salt.length);
  return out;
}

/** Returns ciphertext || ICV. */
export function aeadSeal(key: AeadKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv(key.cipher as CipherGCMTypes, key.key, nonce(key, iv), { authTagLength: key.icvSize });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/** Verifies the ICV (constant time, inside OpenSSL) and decrypts. */
export function aeadOpen(key: AeadKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Result<Buffer> {
  if (sealed.length < key.icvSize) return fail('CRYPTO_SK_MALFORMED', `AEAD input of ${sealed.length} octets is shorter than the ${key.icvSize}-octet ICV`);
  const ciphertext = sealed.subarray(0, sealed.length - key.icvSize);
  try {
    const decipher = createDecipheriv(key.cipher as CipherGCMTypes, key.key, nonce(key, iv), { authTagLength: key.icvSize });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - key.icvSize));
    return ok(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (cause) {
    return fail('CRYPTO_INTEGRITY_FAILED', 'AEAD ICV does not verify', cause);
  }
}
