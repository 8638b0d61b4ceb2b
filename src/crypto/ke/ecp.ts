// NIST prime curves for IKEv2 (RFC 5903) over node:crypto ECDH.
// Wire format (RFC 5903 §7): x || y, each the field size, without the 0x04
// prefix of SEC1. Shared secret (RFC 5903 §9): the x coordinate only.
// OpenSSL rejects coordinates >= p and points off the curve when the peer's
// point is decoded; the point at infinity has no encoding in this format.

import { createECDH } from 'node:crypto';
import { fail, ok, type Result } from '../errors.js';
import type { EcpGroup } from '../registry/index.js';
import { zeroize } from '../secret.js';
import { checkPublicValueLength, type KeyExchange } from './key-exchange.js';

const UNCOMPRESSED = 0x04;

export function createEcpKeyExchange(group: EcpGroup, privateKey?: Uint8Array): Result<KeyExchange> {
  let ecdh = createECDH(group.nodeCurve);
  if (privateKey) ecdh.setPrivateKey(Buffer.from(privateKey));
  else ecdh.generateKeys();
  // getPublicKey() gives 0x04 || x || y with fixed-size coordinates.
  const publicValue = ecdh.getPublicKey().subarray(1);
  let disposed = false;

  return ok({
    group,
    publicValue,
    computeSharedSecret(peer: Uint8Array): Result<Buffer> {
      if (disposed) return fail('CRYPTO_KE_FAILED', `${group.name} key exchange already disposed`);
      const lengthError = checkPublicValueLength(group, peer);
      if (lengthError) return lengthError as Result<never>;
      const point = Buffer.allocUnsafe(peer.length + 1);
      point[0] = UNCOMPRESSED;
      point.set(peer, 1);
      try {
        return ok(ecdh.computeSecret(point));
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        if (code === 'ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY')
          return fail('CRYPTO_BAD_PUBLIC_VALUE', `${group.name} peer public value is not a point on the curve`, cause);
        return fail('CRYPTO_KE_FAILED', `${group.name} derivation failed: ${(cause as Error).message}`, cause);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // The scalar inside OpenSSL is out of reach from JS; drop the object so it is freed.
      ecdh = undefined as unknown as typeof ecdh;
      zeroize(publicValue);
    },
  });
}
