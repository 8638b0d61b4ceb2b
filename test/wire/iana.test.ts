import { describe, expect, it } from 'vitest';
import {
  NotifyType,
  authMethodName,
  certEncodingName,
  cfgTypeName,
  cpAttributeName,
  exchangeTypeName,
  idTypeName,
  isErrorNotify,
  notifyTypeName,
  payloadTypeName,
  protocolIdName,
  transformName,
  tsTypeName,
} from '../../src/wire/index.js';

describe('IANA names in RFC spelling', () => {
  it('maps ids to names and unknown ids to readable placeholders', () => {
    expect(exchangeTypeName(34)).toBe('IKE_SA_INIT');
    expect(exchangeTypeName(99)).toBe('EXCHANGE#99');
    expect(payloadTypeName(46)).toBe('SK');
    expect(payloadTypeName(53)).toBe('SKF');
    expect(notifyTypeName(7)).toBe('INVALID_SYNTAX');
    expect(notifyTypeName(16388)).toBe('NAT_DETECTION_SOURCE_IP');
    expect(notifyTypeName(16430)).toBe('IKEV2_FRAGMENTATION_SUPPORTED');
    expect(notifyTypeName(16431)).toBe('SIGNATURE_HASH_ALGORITHMS');
    expect(notifyTypeName(9999)).toBe('ERROR#9999');
    expect(notifyTypeName(40000)).toBe('STATUS#40000');
    expect(idTypeName(9)).toBe('ID_DER_ASN1_DN');
    expect(authMethodName(14)).toBe('DIGITAL_SIGNATURE');
    expect(tsTypeName(8)).toBe('TS_IPV6_ADDR_RANGE');
    expect(cfgTypeName(2)).toBe('CFG_REPLY');
    expect(cpAttributeName(25)).toBe('INTERNAL_DNS_DOMAIN');
    expect(protocolIdName(3)).toBe('ESP');
    expect(certEncodingName(4)).toBe('X509_CERTIFICATE_SIGNATURE');
    expect(transformName(1, 20, 256)).toBe('AES_GCM_16_256');
  });

  it('every RFC 7296 error notify is below 16384 and every status at or above', () => {
    expect(isErrorNotify(NotifyType.INVALID_KE_PAYLOAD)).toBe(true);
    expect(isErrorNotify(NotifyType.COOKIE)).toBe(false);
    for (const name of ['UNSUPPORTED_CRITICAL_PAYLOAD', 'INVALID_IKE_SPI', 'INVALID_MAJOR_VERSION', 'INVALID_SYNTAX', 'INVALID_MESSAGE_ID', 'INVALID_SPI', 'NO_PROPOSAL_CHOSEN', 'INVALID_KE_PAYLOAD', 'AUTHENTICATION_FAILED', 'SINGLE_PAIR_REQUIRED', 'NO_ADDITIONAL_SAS', 'INTERNAL_ADDRESS_FAILURE', 'FAILED_CP_REQUIRED', 'TS_UNACCEPTABLE', 'INVALID_SELECTORS', 'TEMPORARY_FAILURE', 'CHILD_SA_NOT_FOUND'] as const) {
      expect(isErrorNotify(NotifyType[name])).toBe(true);
    }
  });
});
