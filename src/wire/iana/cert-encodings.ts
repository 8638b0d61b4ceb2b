// IANA "IKEv2 Certificate Encodings" (RFC 7296 §3.6).
import { nameOrNumber, reverseTable } from './lookup.js';

export const CertEncoding = {
  PKCS7_WRAPPED_X509_CERTIFICATE: 1,
  PGP_CERTIFICATE: 2,
  DNS_SIGNED_KEY: 3,
  X509_CERTIFICATE_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CERTIFICATE_REVOCATION_LIST: 7,
  AUTHORITY_REVOCATION_LIST: 8,
  SPKI_CERTIFICATE: 9,
  X509_CERTIFICATE_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11, // removed by RFC 7296
  HASH_AND_URL_OF_X509_CERTIFICATE: 12,
  HASH_AND_URL_OF_X509_BUNDLE: 13,
  OCSP_CONTENT: 14, // RFC 4806
  RAW_PUBLIC_KEY: 15, // RFC 7670
} as const;
export type CertEncoding = (typeof CertEncoding)[keyof typeof CertEncoding];

const names = reverseTable(CertEncoding);
export const certEncodingName = (id: number): string => nameOrNumber(names, id, 'CERT');
