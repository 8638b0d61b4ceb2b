// PRF transforms (RFC 7296 §3.3.2). All supported PRFs are HMACs (RFC 2104,
// RFC 4868 for SHA-2), whose preferred key size is the hash output size
// (RFC 7296 §2.13, §2.14: SK_d, SK_pi, SK_pr have that length).

import { PRF } from '../../wire/iana/transforms.js';

export interface PrfAlgorithm {
  readonly id: number;
  /** IANA name in RFC spelling (`PRF_HMAC_SHA2_256`). */
  readonly name: string;
  /** node:crypto hash name. */
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Output and preferred key size in octets. */
  readonly outputSize: number;
  readonly keySize: number;
}

const hmac = (id: number, name: string, hash: PrfAlgorithm['hash'], size: number): PrfAlgorithm => ({
  id,
  name,
  hash,
  outputSize: size,
  keySize: size,
});

export const prfAlgorithms: readonly PrfAlgorithm[] = [
  hmac(PRF.HMAC_SHA1, 'PRF_HMAC_SHA1', 'sha1', 20),
  hmac(PRF.HMAC_SHA2_256, 'PRF_HMAC_SHA2_256', 'sha256', 32),
  hmac(PRF.HMAC_SHA2_384, 'PRF_HMAC_SHA2_384', 'sha384', 48),
  hmac(PRF.HMAC_SHA2_512, 'PRF_HMAC_SHA2_512', 'sha512', 64),
];
