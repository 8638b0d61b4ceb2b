// CHILD SA keying material (RFC 7296 §2.17):
//   KEYMAT = prf+(SK_d, Ni | Nr)                 without PFS (and in IKE_AUTH)
//   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)    with a KE exchange in CREATE_CHILD_SA
// Taken in this order: all of initiator->responder before responder->initiator,
// and within one SA the encryption key first, then the integrity key
// (RFC 4301 §5.1 via RFC 7296 §2.17). For AEAD the 4-octet salt follows the
// key (RFC 4106 §8.1, RFC 7634 §2), so `encryptionKey` is key || salt, the
// form Linux xfrm takes for `aead` algorithms.

import { fail, ok, type Result } from './errors.js';
import { prfPlus } from './prf.js';
import type { CipherSuite, PrfAlgorithm } from './registry/index.js';
import { zeroize } from './secret.js';

export interface ChildSaDirectionKeys {
  /** Cipher key, with the salt appended for AEAD ciphers. */
  readonly encryptionKey: Buffer;
  /** Empty for AEAD ciphers. */
  readonly integrityKey: Buffer;
}

export interface ChildSaKeys {
  readonly initiatorToResponder: ChildSaDirectionKeys;
  readonly responderToInitiator: ChildSaDirectionKeys;
  dispose(): void;
}

export interface ChildSaKeyInput {
  /** The IKE SA's PRF and SK_d. */
  readonly prf: PrfAlgorithm;
  readonly skD: Uint8Array;
  /** The ESP (or AH) suite negotiated for this CHILD SA. */
  readonly suite: CipherSuite;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /** g^ir of the CREATE_CHILD_SA KE exchange (PFS); absent otherwise. */
  readonly sharedSecret?: Uint8Array;
}

export function deriveChildSaKeys(input: ChildSaKeyInput): Result<ChildSaKeys> {
  if (input.skD.length === 0) return fail('CRYPTO_BAD_KEY', 'SK_d is empty');
  const encrSize = input.suite.encr.keymatSize;
  const integSize = input.suite.integ?.keySize ?? 0;
  const seed = Buffer.concat(input.sharedSecret ? [input.sharedSecret, input.nonceI, input.nonceR] : [input.nonceI, input.nonceR]);
  const expanded = prfPlus(input.prf, input.skD, seed, 2 * (encrSize + integSize));
  seed.fill(0);
  if (!expanded.ok) return expanded;
  const keymat = expanded.value;
  let offset = 0;
  // Views into the one KEYMAT buffer, in the §2.17 order; dispose() zeroes it whole.
  const take = (size: number) => keymat.subarray(offset, (offset += size));
  const initiatorToResponder = { encryptionKey: take(encrSize), integrityKey: take(integSize) };
  const responderToInitiator = { encryptionKey: take(encrSize), integrityKey: take(integSize) };
  return ok({
    initiatorToResponder,
    responderToInitiator,
    dispose() {
      zeroize(keymat);
    },
  });
}
