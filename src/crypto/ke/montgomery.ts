// Curve25519 and Curve448 for IKEv2 (RFC 8031, arithmetic of RFC 7748).
// KE data and shared secret are the raw little-endian u-coordinates.
//
// Key generation asks node:crypto for the public key directly in JWK form
// (`publicKeyEncoding: { format: 'jwk' }`): on Node 20, generating x25519
// pairs and calling `keyObject.export({ format: 'jwk' })` in a tight loop
// self-deadlocked the process during garbage collection, while this path did
// not. test/crypto/ke-montgomery-soak.test.ts runs the chosen path in a long
// loop to keep it that way. The peer's value enters through a JWK as well,
// which measured about 3x cheaper than an SPKI DER import.
//
// RFC 8031 §2.3 asks to refuse an all-zero shared secret (a low-order peer
// point); OpenSSL refuses to derive it, which we report as CRYPTO_KE_FAILED.

import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { fail, ok, type Result } from '../errors.js';
import type { MontgomeryGroup } from '../registry/index.js';
import { zeroize } from '../secret.js';
import { checkPublicValueLength, type KeyExchange } from './key-exchange.js';

// PKCS#8 PrivateKeyInfo prefix for a raw X25519 / X448 scalar (RFC 8410 §7),
// used only when a test vector fixes the private key.
const PKCS8_PREFIX = {
  x25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  x448: Buffer.from('3046020100300506032b656f043a0438', 'hex'),
} as const;
const SPKI_PREFIX_LENGTH = { x25519: 12, x448: 12 } as const;

// @types/node has no overload for "JWK public key, KeyObject private key",
// which Node supports: encode only the public half, keep the private one opaque.
const generateWithJwkPublic = generateKeyPairSync as unknown as (
  type: 'x25519' | 'x448',
  options: { publicKeyEncoding: { format: 'jwk' } },
) => { publicKey: { x?: unknown }; privateKey: KeyObject };

function generate(group: MontgomeryGroup): { privateKey: KeyObject; publicValue: Buffer } {
  const pair = generateWithJwkPublic(group.nodeType, { publicKeyEncoding: { format: 'jwk' } });
  const x = pair.publicKey.x;
  if (typeof x !== 'string') throw new Error(`${group.name}: keygen returned no JWK x`);
  return { privateKey: pair.privateKey, publicValue: Buffer.from(x, 'base64url') };
}

function importFixed(group: MontgomeryGroup, scalar: Uint8Array): { privateKey: KeyObject; publicValue: Buffer } {
  const der = Buffer.concat([PKCS8_PREFIX[group.nodeType], scalar]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  // Test-vector path only: DER export of the public half, not the JWK export named above.
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicValue: Buffer.from(spki.subarray(SPKI_PREFIX_LENGTH[group.nodeType])) };
}

export function createMontgomeryKeyExchange(group: MontgomeryGroup, fixedPrivateKey?: Uint8Array): Result<KeyExchange> {
  if (fixedPrivateKey && fixedPrivateKey.length !== group.publicValueSize)
    return fail('CRYPTO_BAD_KEY', `${group.name} private key must be ${group.publicValueSize} octets`);
  let { privateKey, publicValue } = fixedPrivateKey ? importFixed(group, fixedPrivateKey) : generate(group);
  let disposed = false;

  return ok({
    group,
    publicValue,
    computeSharedSecret(peer: Uint8Array): Result<Buffer> {
      if (disposed) return fail('CRYPTO_KE_FAILED', `${group.name} key exchange already disposed`);
      const lengthError = checkPublicValueLength(group, peer);
      if (lengthError) return lengthError as Result<never>;
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({
          key: { kty: 'OKP', crv: group.jwkCurve, x: Buffer.from(peer).toString('base64url') },
          format: 'jwk',
        });
      } catch (cause) {
        return fail('CRYPTO_BAD_PUBLIC_VALUE', `${group.name} peer public value rejected: ${(cause as Error).message}`, cause);
      }
      try {
        return ok(diffieHellman({ privateKey, publicKey }));
      } catch (cause) {
        return fail('CRYPTO_KE_FAILED', `${group.name} derivation failed (low-order peer point?)`, cause);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // A KeyObject cannot be zeroed from JS; drop our reference so it can be collected.
      privateKey = undefined as unknown as KeyObject;
      zeroize(publicValue);
      publicValue = Buffer.alloc(0);
    },
  });
}
