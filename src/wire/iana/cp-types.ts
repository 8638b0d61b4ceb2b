// IANA "IKEv2 Configuration Payload CFG Types" and "Configuration Payload
// Attribute Types" (RFC 7296 §3.15.1 and later RFCs).
import { nameOrNumber, reverseTable } from './lookup.js';

export const CfgType = {
  CFG_REQUEST: 1,
  CFG_REPLY: 2,
  CFG_SET: 3,
  CFG_ACK: 4,
} as const;
export type CfgType = (typeof CfgType)[keyof typeof CfgType];

export const CpAttribute = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_ADDRESS_EXPIRY: 5, // RFC 4306, removed by RFC 7296
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_NBNS: 9, // RFC 4306, removed by RFC 7296
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  MIP6_HOME_PREFIX: 16, // RFC 5026
  INTERNAL_IP6_LINK: 17, // RFC 5739
  INTERNAL_IP6_PREFIX: 18, // RFC 5739
  HOME_AGENT_ADDRESS: 19, // RFC 5213
  P_CSCF_IP4_ADDRESS: 20, // RFC 7651
  P_CSCF_IP6_ADDRESS: 21,
  FTT_KAT: 22,
  EXTERNAL_SOURCE_IP4_NAT_INFO: 23,
  TIMEOUT_PERIOD_FOR_LIVENESS_CHECK: 24,
  INTERNAL_DNS_DOMAIN: 25, // RFC 8598
  INTERNAL_DNSSEC_TA: 26, // RFC 8598
} as const;
export type CpAttribute = (typeof CpAttribute)[keyof typeof CpAttribute];

const cfgNames = reverseTable(CfgType);
const attrNames = reverseTable(CpAttribute);
export const cfgTypeName = (id: number): string => nameOrNumber(cfgNames, id, 'CFG');
export const cpAttributeName = (id: number): string => nameOrNumber(attrNames, id, 'CP_ATTR');
