// Protection of the Encrypted payload SK (RFC 7296 §3.14) and of the
// Encrypted Fragment payload SKF (RFC 7383 §2.5), at the byte level:
//
//   body = IV | E(inner payloads | Padding | Pad Length) | ICV
//
// `associatedData` is every octet of the message before the body: the IKE
// header and the SK (or SKF) payload header, with final lengths already in
// place (use `bodyLength` to compute them first).
//   - Cipher + INTEG (AES-CBC + HMAC): ICV = truncated HMAC(SK_a, associatedData
//     | IV | ciphertext), i.e. over the whole message up to the ICV (§3.14);
//     the IV is random and unpredictable, as CBC requires.
//   - AEAD (RFC 5282 for AES-GCM, RFC 7634 for ChaCha20-Poly1305): the
//     associated data is exactly `associatedData` (RFC 5282 §5.1), the nonce is
//     salt | IV (4 + 8 octets) where the salt is the last 4 octets of SK_e, and
//     the IV must never repeat under one key: it is a 64-bit counter that
//     starts at a random value, so two ciphers sharing a key by mistake are
//     still unlikely to collide.
// One SkCipher protects one direction of one IKE SA (SK_ei+SK_ai or
// SK_er+SK_ar). It keeps views of the keys it is given, not copies: the
// IkeSaKeys that own them zero them on dispose.

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../errors.js';
import type { CipherSuite } from '../registry/index.js';
import { constantTimeEqual } from '../secret.js';
import { aeadKey, aeadOpen, aeadSeal, type AeadKey } from './aead.js';

export interface SkKeys {
  /** SK_e (with the 4-octet salt at the end for AEAD). */
  readonly encryptionKey: Uint8Array;
  /** SK_a; empty for AEAD. */
  readonly integrityKey: Uint8Array;
}

export interface SkCipherOptions {
  /** Source of IVs, for test vectors; defaults to random (CBC) or a counter (AEAD). */
  readonly nextIv?: () => Buffer;
}

export class SkCipher {
  private readonly key: Buffer;
  private readonly aeadKey: AeadKey | undefined;
  private readonly integrityKey: Buffer;
  private readonly nodeCipher: string;
  private readonly ivSize: number;
  private readonly icvSize: number;
  private readonly blockSize: number;
  private readonly aead: boolean;
  private readonly integHash: string | undefined;
  private readonly nextIv: () => Buffer;
  private disposed = false;

  private constructor(suite: CipherSuite, keys: SkKeys, options: SkCipherOptions) {
    const encr = suite.encr;
    const algorithm = encr.algorithm;
    this.key = view(keys.encryptionKey).subarray(0, encr.keySize);
    this.aeadKey = aeadKey(encr, keys.encryptionKey);
    this.integrityKey = view(keys.integrityKey);
    this.nodeCipher = algorithm.nodeCipher(encr.keyBits);
    this.ivSize = algorithm.ivSize;
    this.blockSize = algorithm.blockSize;
    this.aead = algorithm.kind === 'aead';
    this.icvSize = algorithm.kind === 'aead' ? algorithm.icvSize : suite.integ!.icvSize;
    this.integHash = suite.integ?.hash;
    this.nextIv = options.nextIv ?? (this.aead ? counterIv() : () => randomBytes(this.ivSize));
  }

  /** Checks key sizes against the suite; the only way to build an SkCipher. */
  static create(suite: CipherSuite, keys: SkKeys, options: SkCipherOptions = {}): Result<SkCipher> {
    const encr = suite.encr;
    if (encr.algorithm.kind !== 'aead' && !suite.integ)
      return fail('CRYPTO_UNKNOWN_TRANSFORM', `${encr.name} is not an AEAD cipher and needs an INTEG transform`);
    if (keys.encryptionKey.length !== encr.keymatSize)
      return fail('CRYPTO_BAD_KEY', `${encr.name} needs ${encr.keymatSize} octets of SK_e, got ${keys.encryptionKey.length}`);
    const integSize = suite.integ?.keySize ?? 0;
    if (keys.integrityKey.length !== integSize)
      return fail('CRYPTO_BAD_KEY', `SK_a must be ${integSize} octets for ${suite.integ?.name ?? encr.name}, got ${keys.integrityKey.length}`);
    return ok(new SkCipher(suite, keys, options));
  }

  /** Octets of IV at the start of each body. */
  get ivLength(): number {
    return this.ivSize;
  }

  /** Octets of the SK body for `plaintextLength` octets of inner payloads. */
  bodyLength(plaintextLength: number): number {
    return this.ivSize + this.paddedLength(plaintextLength) + this.icvSize;
  }

  /** Encrypts the inner payload chain; returns the SK body (IV | ciphertext | ICV). */
  seal(associatedData: Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.disposed) throw new Error('SkCipher used after dispose()');
    const paddedLength = this.paddedLength(plaintext.length);
    const body = Buffer.alloc(this.ivSize + paddedLength + this.icvSize);
    const iv = this.nextIv();
    if (iv.length !== this.ivSize) throw new Error(`IV source returned ${iv.length} octets, need ${this.ivSize}`);
    iv.copy(body, 0);
    // Inner payloads, zero padding, then the Pad Length octet.
    const padded = Buffer.alloc(paddedLength);
    padded.set(plaintext, 0);
    padded[paddedLength - 1] = paddedLength - plaintext.length - 1;

    if (this.aeadKey) {
      aeadSeal(this.aeadKey, iv, associatedData, padded).copy(body, this.ivSize);
    } else {
      const cipher = createCipheriv(this.nodeCipher, this.key, iv);
      cipher.setAutoPadding(false);
      const first = cipher.update(padded);
      first.copy(body, this.ivSize);
      cipher.final().copy(body, this.ivSize + first.length);
      this.integrity(associatedData, body.subarray(0, this.ivSize + paddedLength)).copy(body, this.ivSize + paddedLength);
    }
    padded.fill(0);
    return body;
  }

  /** Checks the ICV and decrypts; returns the inner payload chain without padding. */
  open(associatedData: Uint8Array, body: Uint8Array): Result<Buffer> {
    if (this.disposed) return fail('CRYPTO_BAD_KEY', 'SkCipher used after dispose()');
    const ciphertextLength = body.length - this.ivSize - this.icvSize;
    if (ciphertextLength < 1)
      return fail('CRYPTO_SK_MALFORMED', `SK body of ${body.length} octets is shorter than IV + Pad Length + ICV`);
    if (ciphertextLength % this.blockSize !== 0)
      return fail('CRYPTO_SK_MALFORMED', `SK ciphertext of ${ciphertextLength} octets is not a multiple of the ${this.blockSize}-octet block`);
    const iv = body.subarray(0, this.ivSize);
    const ciphertext = body.subarray(this.ivSize, this.ivSize + ciphertextLength);
    const icv = body.subarray(this.ivSize + ciphertextLength);

    let decrypted: Buffer;
    if (this.aeadKey) {
      // OpenSSL compares the tag in constant time and fails final() on mismatch.
      const opened = aeadOpen(this.aeadKey, iv, associatedData, body.subarray(this.ivSize));
      if (!opened.ok) return fail('CRYPTO_INTEGRITY_FAILED', 'SK payload AEAD tag does not verify', opened.error);
      decrypted = opened.value;
    } else {
      const expected = this.integrity(associatedData, body.subarray(0, this.ivSize + ciphertextLength));
      if (!constantTimeEqual(expected, icv)) return fail('CRYPTO_INTEGRITY_FAILED', 'SK payload ICV does not verify');
      const decipher = createDecipheriv(this.nodeCipher, this.key, iv);
      decipher.setAutoPadding(false);
      decrypted = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    }
    const padLength = decrypted[decrypted.length - 1]!;
    if (padLength + 1 > decrypted.length) {
      decrypted.fill(0);
      return fail('CRYPTO_SK_MALFORMED', `SK Pad Length ${padLength} exceeds the ${decrypted.length - 1} decrypted octets`);
    }
    return ok(decrypted.subarray(0, decrypted.length - 1 - padLength));
  }

  /** Stops this cipher; the keys belong to (and are zeroed by) the IkeSaKeys they came from. */
  dispose(): void {
    this.disposed = true;
  }

  private paddedLength(plaintextLength: number): number {
    const minimum = plaintextLength + 1; // the Pad Length octet
    return Math.ceil(minimum / this.blockSize) * this.blockSize;
  }

  private integrity(associatedData: Uint8Array, ivAndCiphertext: Uint8Array): Buffer {
    const hmac = createHmac(this.integHash!, this.integrityKey);
    hmac.update(associatedData);
    hmac.update(ivAndCiphertext);
    return hmac.digest().subarray(0, this.icvSize);
  }
}

const view = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));

/** 64-bit big-endian counter IVs from a random start (wrapping is 2^64 messages away). */
function counterIv(): () => Buffer {
  // Drawn on first use, so a cipher that only opens never pays for randomness.
  let next: bigint | undefined;
  return () => {
    next ??= randomBytes(8).readBigUInt64BE(0);
    const iv = Buffer.allocUnsafe(8);
    iv.writeBigUInt64BE(next);
    next = (next + 1n) & 0xffffffffffffffffn;
    return iv;
  };
}
