// IANA "IKEv2 Authentication Method" (RFC 7296 §3.8 and later RFCs), and the
// RFC 7427 "IKEv2 Hash Algorithms" used by SIGNATURE_HASH_ALGORITHMS.
import { nameOrNumber, reverseTable } from './lookup.js';

export const AuthMethod = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MESSAGE_INTEGRITY_CODE: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9, // RFC 4754
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  GENERIC_SECURE_PASSWORD: 12, // RFC 6467
  NULL_AUTHENTICATION: 13, // RFC 7619
  DIGITAL_SIGNATURE: 14, // RFC 7427
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

export const HashAlgorithm = {
  SHA1: 1,
  SHA2_256: 2,
  SHA2_384: 3,
  SHA2_512: 4,
  IDENTITY: 5, // RFC 8420
} as const;
export type HashAlgorithm = (typeof HashAlgorithm)[keyof typeof HashAlgorithm];

const authNames = reverseTable(AuthMethod);
const hashNames = reverseTable(HashAlgorithm);
export const authMethodName = (id: number): string => nameOrNumber(authNames, id, 'AUTH');
export const hashAlgorithmName = (id: number): string => nameOrNumber(hashNames, id, 'HASH');
