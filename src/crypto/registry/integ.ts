// INTEG transforms (RFC 7296 §3.3.2; RFC 4868 for the SHA-2 ones): an HMAC
// keyed with the hash output size and truncated to `icvSize` octets.

import { INTEG } from '../../wire/iana/transforms.js';

export interface IntegAlgorithm {
  readonly id: number;
  /** IANA name in RFC spelling (`AUTH_HMAC_SHA2_256_128`). */
  readonly name: string;
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Key size in octets (RFC 4868 §2.1.1: the hash output size). */
  readonly keySize: number;
  /** Truncated ICV size in octets. */
  readonly icvSize: number;
  /** Linux xfrm `auth-trunc` name and truncation in bits. */
  readonly xfrm: { readonly name: string; readonly truncBits: number };
}

const hmac = (id: number, name: string, hash: IntegAlgorithm['hash'], keySize: number, icvSize: number): IntegAlgorithm => ({
  id,
  name,
  hash,
  keySize,
  icvSize,
  xfrm: { name: `hmac(${hash})`, truncBits: icvSize * 8 },
});

export const integAlgorithms: readonly IntegAlgorithm[] = [
  hmac(INTEG.HMAC_SHA1_96, 'AUTH_HMAC_SHA1_96', 'sha1', 20, 12),
  hmac(INTEG.HMAC_SHA2_256_128, 'AUTH_HMAC_SHA2_256_128', 'sha256', 32, 16),
  hmac(INTEG.HMAC_SHA2_384_192, 'AUTH_HMAC_SHA2_384_192', 'sha384', 48, 24),
  hmac(INTEG.HMAC_SHA2_512_256, 'AUTH_HMAC_SHA2_512_256', 'sha512', 64, 32),
];
