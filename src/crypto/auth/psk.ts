// AUTH for "Shared Key Message Integrity Code" (method 2, RFC 7296 §2.15):
//   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
// The same formula with the EAP MSK in place of the shared secret gives the
// AUTH of EAP methods that produce keys (§2.16).

import { fail, ok, type Result } from '../errors.js';
import { prf } from '../prf.js';
import type { PrfAlgorithm } from '../registry/index.js';
import { constantTimeEqual } from '../secret.js';

/** The 17 ASCII octets of "Key Pad for IKEv2", no terminating NUL. */
const KEY_PAD = Buffer.from('Key Pad for IKEv2', 'ascii');

export function pskAuth(algorithm: PrfAlgorithm, sharedSecret: Uint8Array, signedOctets: Uint8Array): Buffer {
  const padded = prf(algorithm, sharedSecret, KEY_PAD);
  const auth = prf(algorithm, padded, signedOctets);
  padded.fill(0);
  return auth;
}

/** Recomputes the peer's AUTH and compares in constant time. */
export function verifyPskAuth(algorithm: PrfAlgorithm, sharedSecret: Uint8Array, signedOctets: Uint8Array, received: Uint8Array): Result<void> {
  const expected = pskAuth(algorithm, sharedSecret, signedOctets);
  const match = constantTimeEqual(expected, received);
  expected.fill(0);
  return match ? ok(undefined) : fail('CRYPTO_AUTH_FAILED', 'shared key AUTH does not verify');
}
