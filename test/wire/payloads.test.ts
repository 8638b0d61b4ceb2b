// Round trip of every payload type against hand-built vectors
// (test/vectors/wire/payloads.ts), with the decoded fields checked.

import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  CfgType,
  CpAttribute,
  ENCR,
  IdType,
  NotifyType,
  PayloadType,
  ProtocolId,
  TsType,
  certReqAuthorities,
  encodeIdBody,
  encodePayloadChain,
  formatIdData,
  isAddressRange,
  isPayload,
  transformKeyLength,
} from '../../src/wire/index.js';
import * as v from '../vectors/wire/payloads.js';
import { hexOf, roundTripOne } from './helpers.js';

describe('SA (RFC 7296 §3.3)', () => {
  it('two IKE proposals with Key Length attributes', () => {
    const p = roundTripOne(PayloadType.SA, v.saIke());
    if (!isPayload(p, PayloadType.SA)) throw new Error('not SA');
    expect(p.proposals.map((x) => [x.number, x.protocolId, x.spi.length, x.transforms.length])).toEqual([
      [1, ProtocolId.IKE, 0, 4],
      [2, ProtocolId.IKE, 0, 3],
    ]);
    const [aes, prf, integ, ke] = p.proposals[0]!.transforms;
    expect([aes!.transformType, aes!.transformId, transformKeyLength(aes!)]).toEqual([1, ENCR.AES_CBC, 256]);
    expect([prf!.transformType, prf!.transformId, transformKeyLength(prf!)]).toEqual([2, 5, undefined]);
    expect([integ!.transformType, integ!.transformId]).toEqual([3, 12]);
    expect([ke!.transformType, ke!.transformId]).toEqual([4, 31]);
    expect(transformKeyLength(p.proposals[1]!.transforms[0]!)).toBe(256);
  });

  it('ESP proposal with an SPI and a TLV attribute', () => {
    const p = roundTripOne(PayloadType.SA, v.saEsp());
    if (!isPayload(p, PayloadType.SA)) throw new Error('not SA');
    const prop = p.proposals[0]!;
    expect(prop.protocolId).toBe(ProtocolId.ESP);
    expect(hexOf(prop.spi)).toBe('c0ffee01');
    expect(prop.transforms[1]!.attributes).toEqual([{ format: 'TLV', type: 17, value: Buffer.from('aabbcc', 'hex') }]);
    expect(prop.transforms[2]!.transformType).toBe(5);
  });
});

describe('KE (§3.4)', () => {
  it('group and data', () => {
    const p = roundTripOne(PayloadType.KE, v.ke());
    if (!isPayload(p, PayloadType.KE)) throw new Error('not KE');
    expect(p.group).toBe(31);
    expect(hexOf(p.data)).toBe('1122334455667788');
  });
});

describe('IDi/IDr (§3.5), every ID type', () => {
  const cases: [string, () => Buffer, number, string][] = [
    ['ID_IPV4_ADDR', v.idIpv4, IdType.ID_IPV4_ADDR, '192.0.2.1'],
    ['ID_IPV6_ADDR', v.idIpv6, IdType.ID_IPV6_ADDR, '2001:db8::1'],
    ['ID_FQDN', v.idFqdn, IdType.ID_FQDN, 'vpn.example.org'],
    ['ID_RFC822_ADDR', v.idRfc822, IdType.ID_RFC822_ADDR, 'alice@example.org'],
    ['ID_DER_ASN1_DN', v.idDerDn, IdType.ID_DER_ASN1_DN, '300c310a300806035504030c0161'],
    ['ID_DER_ASN1_GN', v.idDerGn, IdType.ID_DER_ASN1_GN, '8209612e6578616d706c65'],
    ['ID_KEY_ID', v.idKeyId, IdType.ID_KEY_ID, '0102abcdef00'],
    ['ID_NULL', v.idNull, IdType.ID_NULL, ''],
  ];
  for (const [name, vec, idType, text] of cases) {
    it(name, () => {
      for (const type of [PayloadType.IDi, PayloadType.IDr]) {
        const p = roundTripOne(type, vec());
        if (!isPayload(p, type)) throw new Error('not ID');
        expect(p.type).toBe(type);
        expect(p.idType).toBe(idType);
        expect(formatIdData(p.idType, p.data)).toBe(text);
        // RestOfIDPayload for AUTH (§2.15) is the payload body.
        expect(hexOf(encodeIdBody(p))).toBe(vec().subarray(4).toString('hex'));
      }
    });
  }
});

describe('CERT, CERTREQ, AUTH, Nonce, V', () => {
  it('CERT', () => {
    const p = roundTripOne(PayloadType.CERT, v.cert());
    if (!isPayload(p, PayloadType.CERT)) throw new Error('not CERT');
    expect([p.encoding, hexOf(p.data)]).toEqual([4, '3082000000']);
  });
  it('CERTREQ with one CA hash', () => {
    const p = roundTripOne(PayloadType.CERTREQ, v.certReq());
    if (!isPayload(p, PayloadType.CERTREQ)) throw new Error('not CERTREQ');
    expect(certReqAuthorities(p).map(hexOf)).toEqual(['0102030405060708090a0b0c0d0e0f1011121314']);
  });
  it('AUTH', () => {
    const p = roundTripOne(PayloadType.AUTH, v.auth());
    if (!isPayload(p, PayloadType.AUTH)) throw new Error('not AUTH');
    expect(p.method).toBe(AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE);
    expect(p.data).toHaveLength(16);
  });
  it('Nonce', () => {
    const p = roundTripOne(PayloadType.NONCE, v.nonce());
    if (!isPayload(p, PayloadType.NONCE)) throw new Error('not Nonce');
    expect(hexOf(p.data)).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
  });
  it('V', () => {
    const p = roundTripOne(PayloadType.V, v.vendorId());
    if (!isPayload(p, PayloadType.V)) throw new Error('not V');
    expect(Buffer.from(p.data).toString()).toBe('nodeswan');
  });
});

describe('N (§3.10)', () => {
  it('with an SPI (REKEY_SA for ESP)', () => {
    const p = roundTripOne(PayloadType.N, v.notifyWithSpi());
    if (!isPayload(p, PayloadType.N)) throw new Error('not N');
    expect([p.protocolId, hexOf(p.spi), p.notifyType, p.data.length]).toEqual([3, 'c0ffee01', NotifyType.REKEY_SA, 0]);
  });
  it('without an SPI, with data', () => {
    const p = roundTripOne(PayloadType.N, v.notifyNatd());
    if (!isPayload(p, PayloadType.N)) throw new Error('not N');
    expect([p.protocolId, p.spi.length, p.notifyType, p.data.length]).toEqual([0, 0, NotifyType.NAT_DETECTION_SOURCE_IP, 20]);
  });
  it('error notify INVALID_KE_PAYLOAD carries the group', () => {
    const p = roundTripOne(PayloadType.N, v.notifyInvalidKe());
    if (!isPayload(p, PayloadType.N)) throw new Error('not N');
    expect([p.notifyType, hexOf(p.data)]).toEqual([NotifyType.INVALID_KE_PAYLOAD, '0013']);
  });
});

describe('D (§3.11)', () => {
  it('several ESP SPIs', () => {
    const p = roundTripOne(PayloadType.D, v.deleteEsp());
    if (!isPayload(p, PayloadType.D)) throw new Error('not D');
    expect([p.protocolId, p.spiSize, p.spis.map(hexOf)]).toEqual([3, 4, ['c0ffee01', 'c0ffee02', 'c0ffee03']]);
  });
  it('the IKE SA (no SPIs)', () => {
    const p = roundTripOne(PayloadType.D, v.deleteIke());
    if (!isPayload(p, PayloadType.D)) throw new Error('not D');
    expect([p.protocolId, p.spiSize, p.spis]).toEqual([1, 0, []]);
  });
});

describe('TSi/TSr (§3.13)', () => {
  it('IPv4 ranges with protocol and ports', () => {
    const p = roundTripOne(PayloadType.TSi, v.tsIpv4());
    if (!isPayload(p, PayloadType.TSi)) throw new Error('not TSi');
    const [a, b] = p.selectors;
    if (!a || !b || !isAddressRange(a) || !isAddressRange(b)) throw new Error('not ranges');
    expect([a.tsType, a.ipProtocol, a.startPort, a.endPort, hexOf(a.startAddress), hexOf(a.endAddress)]).toEqual([
      TsType.TS_IPV4_ADDR_RANGE, 6, 0, 65535, 'c0000200', 'c00002ff',
    ]);
    expect([b.ipProtocol, b.startPort, b.endPort, hexOf(b.startAddress)]).toEqual([17, 500, 500, 'c6336407']);
  });
  it('IPv6 range', () => {
    const p = roundTripOne(PayloadType.TSr, v.tsIpv6());
    if (!isPayload(p, PayloadType.TSr)) throw new Error('not TSr');
    const s = p.selectors[0]!;
    if (!isAddressRange(s)) throw new Error('not range');
    expect([s.tsType, formatIdData(IdType.ID_IPV6_ADDR, s.startAddress), formatIdData(IdType.ID_IPV6_ADDR, s.endAddress)]).toEqual([
      TsType.TS_IPV6_ADDR_RANGE, '2001:db8:1::', '2001:db8:1:ffff:ffff:ffff:ffff:ffff',
    ]);
  });
  it('an unknown TS type is kept opaque', () => {
    const p = roundTripOne(PayloadType.TSi, v.tsSecLabel());
    if (!isPayload(p, PayloadType.TSi)) throw new Error('not TSi');
    const s = p.selectors[0]!;
    expect(isAddressRange(s)).toBe(false);
    expect(s.tsType).toBe(TsType.TS_SECLABEL);
  });
});

describe('CP (§3.15)', () => {
  it('CFG_REQUEST with empty attributes', () => {
    const p = roundTripOne(PayloadType.CP, v.cpRequest());
    if (!isPayload(p, PayloadType.CP)) throw new Error('not CP');
    expect(p.cfgType).toBe(CfgType.CFG_REQUEST);
    expect(p.attributes.map((a) => [a.type, a.value.length])).toEqual([
      [CpAttribute.INTERNAL_IP4_ADDRESS, 0],
      [CpAttribute.INTERNAL_IP4_DNS, 0],
      [CpAttribute.INTERNAL_IP6_ADDRESS, 0],
    ]);
  });
  it('CFG_REPLY with values', () => {
    const p = roundTripOne(PayloadType.CP, v.cpReply());
    if (!isPayload(p, PayloadType.CP)) throw new Error('not CP');
    expect(p.attributes.map((a) => [a.type, hexOf(a.value)])).toEqual([
      [CpAttribute.INTERNAL_IP4_ADDRESS, '64400002'],
      [CpAttribute.INTERNAL_IP4_DNS, 'c0000235'],
      [CpAttribute.INTERNAL_IP6_ADDRESS, '20010db800000000000000000000000240'],
      [CpAttribute.INTERNAL_DNS_DOMAIN, Buffer.from('example.org').toString('hex')],
    ]);
  });
});

describe('EAP (§3.16)', () => {
  it('Request/Identity', () => {
    const p = roundTripOne(PayloadType.EAP, v.eapIdentityRequest());
    if (!isPayload(p, PayloadType.EAP)) throw new Error('not EAP');
    expect([p.code, p.identifier, p.eapType, p.data.length]).toEqual([1, 1, 1, 0]);
  });
  it('Success has no Type', () => {
    const p = roundTripOne(PayloadType.EAP, v.eapSuccess());
    if (!isPayload(p, PayloadType.EAP)) throw new Error('not EAP');
    expect([p.code, p.identifier, p.eapType]).toEqual([3, 2, undefined]);
  });
});

describe('unknown payloads (§2.5)', () => {
  it('a non-critical unknown payload is kept and re-encoded verbatim', () => {
    const p = roundTripOne(60, v.unknownNonCritical());
    expect(p).toEqual({ type: 60, critical: false, raw: Buffer.from('deadbeef', 'hex') });
    expect(isPayload(p, PayloadType.SA)).toBe(false);
  });
});

describe('encoding built payloads', () => {
  it('computes lengths, counts and Last Substruc markers', () => {
    const { bytes } = encodePayloadChain([
      {
        type: PayloadType.SA,
        critical: false,
        proposals: [{ number: 1, protocolId: 1, spi: new Uint8Array(), transforms: [{ transformType: 1, transformId: 20, attributes: [{ format: 'TV', type: 14, value: 256 }] }, { transformType: 2, transformId: 6, attributes: [] }, { transformType: 4, transformId: 19, attributes: [] }] },
          { number: 2, protocolId: 1, spi: new Uint8Array(), transforms: [{ transformType: 1, transformId: 12, attributes: [{ format: 'TV', type: 14, value: 128 }] }, { transformType: 2, transformId: 5, attributes: [] }, { transformType: 3, transformId: 12, attributes: [] }, { transformType: 4, transformId: 31, attributes: [] }] }],
      },
    ]);
    // Same content as the saIke vector but with the proposals swapped.
    expect(bytes.length).toBe(v.saIke().length);
    expect(hexOf(bytes.subarray(4, 12))).toBe('0200002401010003');
    expect(hexOf(bytes.subarray(40, 48))).toBe('0000002c02010004');
  });

  it('rejects values that do not fit their fields', () => {
    expect(() => encodePayloadChain([{ type: PayloadType.KE, critical: false, group: 70000, data: new Uint8Array() }])).toThrow(RangeError);
    expect(() => encodePayloadChain([{ type: PayloadType.D, critical: false, protocolId: 3, spiSize: 4, spis: [new Uint8Array(3)] }])).toThrow(/SPI/);
  });
});
