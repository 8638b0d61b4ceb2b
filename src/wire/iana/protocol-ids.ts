// IANA "IKEv2 Security Protocol Identifiers" (RFC 7296 §3.3.1).
import { nameOrNumber, reverseTable } from './lookup.js';

export const ProtocolId = {
  IKE: 1,
  AH: 2,
  ESP: 3,
  FC_ESP_HEADER: 4, // RFC 4595
  FC_CT_AUTHENTICATION: 5,
} as const;
export type ProtocolId = (typeof ProtocolId)[keyof typeof ProtocolId];

const names = reverseTable(ProtocolId);
export const protocolIdName = (id: number): string => nameOrNumber(names, id, 'PROTO');
