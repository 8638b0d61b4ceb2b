// Typical messages of every exchange, built as objects through the public
// API. Used as fuzz seeds and by the codec benchmark; the hand-built byte
// vectors (payloads.ts, messages.ts) are the ones that pin the encoding.

import {
  AuthMethod,
  CfgType,
  CpAttribute,
  ENCR,
  ESN,
  ExchangeType,
  IdType,
  INTEG,
  KE,
  NotifyType,
  PayloadType,
  PRF,
  ProtocolId,
  TransformType,
  TsType,
  encodePayloadChain,
  keyLengthAttribute,
  type IkeHeader,
  type IkeMessage,
  type Payload,
} from '../../../src/wire/index.js';

const fill = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff));

export function header(exchangeType: number, response: boolean, messageId: number, initiator = true): IkeHeader {
  return {
    spiI: Buffer.from('0011223344556677', 'hex'),
    spiR: exchangeType === ExchangeType.IKE_SA_INIT && !response ? Buffer.alloc(8) : Buffer.from('8899aabbccddeeff', 'hex'),
    nextPayload: 0,
    majorVersion: 2,
    minorVersion: 0,
    exchangeType,
    flags: { initiator, response, version: false },
    messageId,
    length: 0,
  };
}

const ipv4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

export const espSa = (): Payload => ({
  type: PayloadType.SA,
  critical: false,
  proposals: [
    {
      number: 1,
      protocolId: ProtocolId.ESP,
      spi: Buffer.from('c0ffee01', 'hex'),
      transforms: [
        { transformType: TransformType.ENCR, transformId: ENCR.AES_GCM_16, attributes: [keyLengthAttribute(256)] },
        { transformType: TransformType.ESN, transformId: ESN.NO_ESN, attributes: [] },
      ],
    },
    {
      number: 2,
      protocolId: ProtocolId.ESP,
      spi: Buffer.from('c0ffee01', 'hex'),
      transforms: [
        { transformType: TransformType.ENCR, transformId: ENCR.AES_CBC, attributes: [keyLengthAttribute(128)] },
        { transformType: TransformType.INTEG, transformId: INTEG.HMAC_SHA2_256_128, attributes: [] },
        { transformType: TransformType.ESN, transformId: ESN.NO_ESN, attributes: [] },
      ],
    },
  ],
});

export const ikeSa = (): Payload => ({
  type: PayloadType.SA,
  critical: false,
  proposals: [
    {
      number: 1,
      protocolId: ProtocolId.IKE,
      spi: Buffer.alloc(0),
      transforms: [
        { transformType: TransformType.ENCR, transformId: ENCR.AES_GCM_16, attributes: [keyLengthAttribute(256)] },
        { transformType: TransformType.PRF, transformId: PRF.HMAC_SHA2_256, attributes: [] },
        { transformType: TransformType.KE, transformId: KE.CURVE25519, attributes: [] },
      ],
    },
  ],
});

export const tsPair = (): Payload[] => [
  {
    type: PayloadType.TSi,
    critical: false,
    selectors: [{ tsType: TsType.TS_IPV4_ADDR_RANGE, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: ipv4('192.0.2.0'), endAddress: ipv4('192.0.2.255') }],
  },
  {
    type: PayloadType.TSr,
    critical: false,
    selectors: [
      { tsType: TsType.TS_IPV4_ADDR_RANGE, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: ipv4('198.51.100.0'), endAddress: ipv4('198.51.100.255') },
      {
        tsType: TsType.TS_IPV6_ADDR_RANGE,
        ipProtocol: 6,
        startPort: 443,
        endPort: 443,
        startAddress: Buffer.from('20010db8000000000000000000000000', 'hex'),
        endAddress: Buffer.from('20010db8ffffffffffffffffffffffff', 'hex'),
      },
    ],
  },
];

const notify = (notifyType: number, data: Uint8Array = Buffer.alloc(0), protocolId = 0, spi: Uint8Array = Buffer.alloc(0)): Payload => ({
  type: PayloadType.N,
  critical: false,
  protocolId,
  spi,
  notifyType,
  data,
});

/** The inner chain of a typical IKE_AUTH request: IDi, AUTH, SA, TSi, TSr, N. */
export function ikeAuthInner(): Payload[] {
  return [
    { type: PayloadType.IDi, critical: false, idType: IdType.ID_FQDN, data: Buffer.from('client.example.org') },
    { type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: fill(32, 3) },
    { type: PayloadType.N, critical: false, protocolId: 0, spi: Buffer.alloc(0), notifyType: NotifyType.INITIAL_CONTACT, data: Buffer.alloc(0) },
    { type: PayloadType.CP, critical: false, cfgType: CfgType.CFG_REQUEST, attributes: [{ type: CpAttribute.INTERNAL_IP4_ADDRESS, value: Buffer.alloc(0) }, { type: CpAttribute.INTERNAL_IP4_DNS, value: Buffer.alloc(0) }] },
    espSa(),
    ...tsPair(),
    notify(NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED),
    notify(NotifyType.NON_FIRST_FRAGMENTS_ALSO),
  ];
}

export function ikeAuthResponseInner(): Payload[] {
  return [
    { type: PayloadType.IDr, critical: false, idType: IdType.ID_IPV4_ADDR, data: ipv4('203.0.113.1') },
    { type: PayloadType.CERT, critical: false, encoding: 4, data: fill(64, 9) },
    { type: PayloadType.AUTH, critical: false, method: AuthMethod.DIGITAL_SIGNATURE, data: fill(80, 5) },
    { type: PayloadType.CP, critical: false, cfgType: CfgType.CFG_REPLY, attributes: [{ type: CpAttribute.INTERNAL_IP4_ADDRESS, value: ipv4('100.64.0.2') }] },
    espSa(),
    ...tsPair(),
    { type: PayloadType.EAP, critical: false, code: 1, identifier: 7, eapType: 1, data: Buffer.alloc(0) },
  ];
}

export function createChildSaInner(): Payload[] {
  return [
    notify(NotifyType.REKEY_SA, Buffer.alloc(0), ProtocolId.ESP, Buffer.from('c0ffee01', 'hex')),
    espSa(),
    { type: PayloadType.NONCE, critical: false, data: fill(32, 1) },
    { type: PayloadType.KE, critical: false, group: KE.CURVE25519, data: fill(32, 2) },
    ...tsPair(),
  ];
}

export function informationalInner(): Payload[] {
  return [
    { type: PayloadType.D, critical: false, protocolId: ProtocolId.ESP, spiSize: 4, spis: [fill(4, 1), fill(4, 2)] },
    { type: PayloadType.D, critical: false, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] },
    notify(NotifyType.UPDATE_SA_ADDRESSES),
    { type: PayloadType.CERTREQ, critical: false, encoding: 4, authority: fill(40, 4) },
    { type: PayloadType.V, critical: false, data: Buffer.from('nodeswan') },
  ];
}

export function ikeSaInitRequest(): IkeMessage {
  return {
    header: header(ExchangeType.IKE_SA_INIT, false, 0),
    payloads: [
      ikeSa(),
      { type: PayloadType.KE, critical: false, group: KE.CURVE25519, data: fill(32, 11) },
      { type: PayloadType.NONCE, critical: false, data: fill(32, 12) },
      notify(NotifyType.NAT_DETECTION_SOURCE_IP, fill(20, 13)),
      notify(NotifyType.NAT_DETECTION_DESTINATION_IP, fill(20, 14)),
      notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
      notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, Buffer.from('0002000300040005', 'hex')),
    ],
  };
}

/**
 * Wraps an inner chain in an SK payload whose body is IV | plaintext | ICV:
 * not encrypted (the codec does not care) but the right shape and size.
 */
export function withSk(h: IkeHeader, inner: Payload[]): IkeMessage {
  const { firstType, bytes } = encodePayloadChain(inner);
  const body = Buffer.concat([fill(16, 0x40), bytes, Buffer.from([0]), fill(16, 0x80)]);
  return { header: h, payloads: [{ type: PayloadType.SK, critical: false, nextPayload: firstType, body }] };
}

/** The same inner chain sent in the clear: lets the fuzzer reach every payload decoder. */
export function inClear(h: IkeHeader, inner: Payload[]): IkeMessage {
  return { header: h, payloads: inner };
}

/** One sample of every exchange, both directions, encrypted and in the clear. */
export function sampleMessages(): { name: string; message: IkeMessage }[] {
  const out: { name: string; message: IkeMessage }[] = [{ name: 'IKE_SA_INIT request', message: ikeSaInitRequest() }];
  const inner: [string, number, boolean, () => Payload[]][] = [
    ['IKE_AUTH request', ExchangeType.IKE_AUTH, false, ikeAuthInner],
    ['IKE_AUTH response', ExchangeType.IKE_AUTH, true, ikeAuthResponseInner],
    ['CREATE_CHILD_SA request', ExchangeType.CREATE_CHILD_SA, false, createChildSaInner],
    ['INFORMATIONAL request', ExchangeType.INFORMATIONAL, false, informationalInner],
  ];
  for (const [name, type, response, build] of inner) {
    out.push({ name: `${name} (SK)`, message: withSk(header(type, response, 1), build()) });
    out.push({ name: `${name} (clear)`, message: inClear(header(type, response, 1), build()) });
  }
  out.push({
    name: 'IKE_AUTH request (SKF 1/3)',
    message: {
      header: header(ExchangeType.IKE_AUTH, false, 1),
      payloads: [{ type: PayloadType.SKF, critical: false, nextPayload: PayloadType.IDi, fragmentNumber: 1, totalFragments: 3, body: fill(96, 0x33) }],
    },
  });
  return out;
}
