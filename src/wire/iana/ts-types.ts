// IANA "IKEv2 Traffic Selector Types" (RFC 7296 §3.13.1).
import { nameOrNumber, reverseTable } from './lookup.js';

export const TsType = {
  TS_IPV4_ADDR_RANGE: 7,
  TS_IPV6_ADDR_RANGE: 8,
  TS_FC_ADDR_RANGE: 9, // RFC 4595
  TS_SECLABEL: 10, // RFC 9478
} as const;
export type TsType = (typeof TsType)[keyof typeof TsType];

const names = reverseTable(TsType);
export const tsTypeName = (id: number): string => nameOrNumber(names, id, 'TS');
