// MODP groups (RFC 2409 §6, RFC 3526) over node:crypto DiffieHellman.
// Wire format: big-endian, left-padded with zeros to the prime length
// (RFC 7296 §3.4). The peer's y must satisfy 1 < y < p-1 (RFC 2631 §2.1.5
// partial validation; rules out 0, 1, p-1 and values >= p).

import { createDiffieHellman, createDiffieHellmanGroup, type DiffieHellman } from 'node:crypto';
import { fail, ok, type Result } from '../errors.js';
import type { ModpGroup } from '../registry/index.js';
import { zeroize } from '../secret.js';
import { checkPublicValueLength, type KeyExchange } from './key-exchange.js';

const leftPad = (value: Buffer, size: number): Buffer => {
  if (value.length === size) return value;
  const padded = Buffer.alloc(size);
  value.copy(padded, size - value.length);
  return padded;
};

/** True when the big-endian value is 0 or 1. */
const isZeroOrOne = (bytes: Uint8Array): boolean => {
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] !== 0) return false;
  return (bytes[bytes.length - 1] ?? 0) <= 1;
};

export function createModpKeyExchange(group: ModpGroup, privateKey?: Uint8Array): Result<KeyExchange> {
  const named = createDiffieHellmanGroup(group.nodeGroup);
  let dh: Pick<DiffieHellman, 'generateKeys' | 'computeSecret' | 'getPrime'> = named;
  if (privateKey) {
    // Named-group objects refuse setPrivateKey; a fixed exponent needs a plain object.
    const fixed = createDiffieHellman(named.getPrime(), 2);
    fixed.setPrivateKey(Buffer.from(privateKey));
    dh = fixed;
  }
  // With a private key set, generateKeys() only computes the public value.
  const publicValue = leftPad(dh.generateKeys(), group.publicValueSize);
  // p is odd, so p-1 only changes the last octet; equal-length big-endian
  // values compare like byte strings.
  const pMinus1 = dh.getPrime();
  pMinus1[pMinus1.length - 1]! -= 1;
  let disposed = false;

  return ok({
    group,
    publicValue,
    computeSharedSecret(peer: Uint8Array): Result<Buffer> {
      if (disposed) return fail('CRYPTO_KE_FAILED', `${group.name} key exchange already disposed`);
      const lengthError = checkPublicValueLength(group, peer);
      if (lengthError) return lengthError as Result<never>;
      if (isZeroOrOne(peer) || Buffer.compare(peer, pMinus1) >= 0)
        return fail('CRYPTO_BAD_PUBLIC_VALUE', `${group.name} peer public value out of range (must be 1 < y < p-1)`);
      try {
        // Node pads the secret to the prime size; pad anyway so the contract does not depend on it.
        return ok(leftPad(dh.computeSecret(Buffer.from(peer)), group.sharedSecretSize));
      } catch (cause) {
        return fail('CRYPTO_KE_FAILED', `${group.name} derivation failed: ${(cause as Error).message}`, cause);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // OpenSSL's copy of the exponent is out of reach from JS (regenerating
      // it would cost a second modexp); drop the object so it is freed.
      dh = undefined as unknown as typeof dh;
      zeroize(publicValue);
    },
  });
}
