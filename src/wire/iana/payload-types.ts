// IANA "IKEv2 Payload Types" (RFC 7296 §3.2 and later RFCs). Names use the
// RFC 7296 notation (SA, KE, IDi, ...); the nonce payload is written
// "Ni, Nr" in the RFC and is named NONCE here because Ni and Nr share type 40.
import { nameOrNumber, reverseTable } from './lookup.js';

export const PayloadType = {
  NONE: 0, // "No Next Payload"
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  NONCE: 40,
  N: 41,
  D: 42,
  V: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  GSPM: 49, // RFC 6467
  IDg: 50, // RFC 9838
  GSA: 51,
  KD: 52,
  SKF: 53, // RFC 7383
  PS: 54, // RFC 8019
} as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

const names = reverseTable(PayloadType);
export const payloadTypeName = (id: number): string => nameOrNumber(names, id, 'PAYLOAD');
