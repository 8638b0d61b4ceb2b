// IANA "IKEv2 Exchange Types" (RFC 7296 §3.1 and later RFCs).
import { nameOrNumber, reverseTable } from './lookup.js';

export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  IKE_SESSION_RESUME: 38, // RFC 5723
  GSA_AUTH: 39, // RFC 9838 (G-IKEv2)
  GSA_REGISTRATION: 40,
  GSA_REKEY: 41,
  IKE_INTERMEDIATE: 43, // RFC 9242
  IKE_FOLLOWUP_KE: 44, // RFC 9370
} as const;
export type ExchangeType = (typeof ExchangeType)[keyof typeof ExchangeType];

const names = reverseTable(ExchangeType);
export const exchangeTypeName = (id: number): string => nameOrNumber(names, id, 'EXCHANGE');
