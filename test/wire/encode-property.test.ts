// Property: for random well-formed payload objects of every type (reserved
// fields set or absent), decode(encode(x)) deep-equals x, and the message
// re-encodes to the same bytes. The hand-built vectors pin the layout; this
// covers the combinations they do not.

import { describe, expect, it } from 'vitest';
import {
  PayloadType,
  decodeMessage,
  decodePayloadChain,
  encodeMessage,
  encodePayloadChain,
  type Payload,
  type TrafficSelector,
  type TransformAttribute,
} from '../../src/wire/index.js';
import { Prng } from '../fuzz/prng.js';
import { header } from '../vectors/wire/samples.js';
import { ok } from './helpers.js';

function randomPayloads(rng: Prng): Payload[] {
  const bytes = (max: number, min = 0): Buffer => Buffer.from(Array.from({ length: min + rng.below(max - min + 1) }, () => rng.below(256)));
  const maybe = <T>(v: T): T | undefined => (rng.chance(0.2) ? v : undefined);
  const withOptional = <T extends object>(obj: T, extra: Record<string, number | true | undefined>): T => {
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== 0) (obj as Record<string, unknown>)[k] = v;
    return obj;
  };
  const base = <T extends number>(type: T) => withOptional({ type, critical: rng.chance(0.1) }, { headerReserved: maybe(1 + rng.below(0x7f)) });
  const attribute = (): TransformAttribute =>
    rng.chance(0.7) ? { format: 'TV', type: rng.below(0x8000), value: rng.below(0x10000) } : { format: 'TLV', type: rng.below(0x8000), value: bytes(6) };
  const selector = (): TrafficSelector => {
    const kind = rng.below(3);
    if (kind === 2) return { tsType: 10 + rng.below(200), ipProtocol: rng.below(256), data: bytes(12) };
    const n = kind === 0 ? 4 : 16;
    return { tsType: kind === 0 ? 7 : 8, ipProtocol: rng.below(256), startPort: rng.below(65536), endPort: rng.below(65536), startAddress: bytes(n, n), endAddress: bytes(n, n) };
  };
  const makers: (() => Payload)[] = [
    () => ({
      ...base(PayloadType.SA),
      proposals: Array.from({ length: 1 + rng.below(3) }, (_, i) =>
        withOptional(
          {
            number: i + 1,
            protocolId: 1 + rng.below(3),
            spi: bytes(8),
            transforms: Array.from({ length: rng.below(5) }, () =>
              withOptional({ transformType: 1 + rng.below(5), transformId: rng.below(65536), attributes: Array.from({ length: rng.below(3) }, attribute) }, { reserved: maybe(1 + rng.below(255)), reserved2: maybe(1 + rng.below(255)) }),
            ),
          },
          { reserved: maybe(1 + rng.below(255)) },
        ),
      ),
    }),
    () => withOptional({ ...base(PayloadType.KE), group: rng.below(65536), data: bytes(64) }, { reserved: maybe(1 + rng.below(65535)) }),
    () => withOptional({ ...base(rng.chance(0.5) ? PayloadType.IDi : PayloadType.IDr), idType: rng.below(256), data: bytes(40) }, { reserved: maybe(1 + rng.below(0xffffff)) }),
    () => ({ ...base(PayloadType.CERT), encoding: rng.below(256), data: bytes(80) }),
    () => ({ ...base(PayloadType.CERTREQ), encoding: rng.below(256), authority: bytes(60) }),
    () => withOptional({ ...base(PayloadType.AUTH), method: rng.below(256), data: bytes(64) }, { reserved: maybe(1 + rng.below(0xffffff)) }),
    () => ({ ...base(PayloadType.NONCE), data: bytes(256, 16) }),
    () => ({ ...base(PayloadType.N), protocolId: rng.below(4), spi: bytes(8), notifyType: rng.below(65536), data: bytes(40) }),
    () => {
      const spiSize = rng.below(9);
      return { ...base(PayloadType.D), protocolId: rng.below(4), spiSize, spis: spiSize === 0 ? [] : Array.from({ length: rng.below(5) }, () => bytes(spiSize, spiSize)) };
    },
    () => ({ ...base(PayloadType.V), data: bytes(32) }),
    () => withOptional({ ...base(rng.chance(0.5) ? PayloadType.TSi : PayloadType.TSr), selectors: Array.from({ length: rng.below(4) }, selector) }, { reserved: maybe(1 + rng.below(0xffffff)) }),
    () =>
      withOptional(
        { ...base(PayloadType.CP), cfgType: rng.below(256), attributes: Array.from({ length: rng.below(5) }, () => withOptional({ type: rng.below(0x8000), value: bytes(20) }, { reservedBit: rng.chance(0.1) ? true : undefined })) },
        { reserved: maybe(1 + rng.below(0xffffff)) },
      ),
    () => (rng.chance(0.3) ? { ...base(PayloadType.EAP), code: 3 + rng.below(2), identifier: rng.below(256), data: Buffer.alloc(0) } : { ...base(PayloadType.EAP), code: 1 + rng.below(2), identifier: rng.below(256), eapType: rng.below(256), data: bytes(30) }),
    () => withOptional({ type: 54 + rng.below(150), critical: false, raw: bytes(20) }, { headerReserved: maybe(1 + rng.below(0x7f)) }),
  ];
  const chain = Array.from({ length: rng.below(8) }, () => rng.pick(makers)());
  const last = rng.below(4);
  if (last === 0) chain.push({ ...base(PayloadType.SK), nextPayload: rng.below(256), body: bytes(80) });
  if (last === 1) {
    const total = 1 + rng.below(5);
    chain.push({ ...base(PayloadType.SKF), nextPayload: rng.below(256), fragmentNumber: 1 + rng.below(total), totalFragments: total, body: bytes(80) });
  }
  return chain;
}

describe('encode/decode property', () => {
  it('1,000 random chains of every payload type survive encode -> decode unchanged', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const payloads = randomPayloads(rng);
      const msg = { header: { ...header(35, rng.chance(0.5), rng.below(1000)), reservedFlags: rng.chance(0.1) ? 0x01 : undefined }, payloads };
      if (msg.header.reservedFlags === undefined) delete msg.header.reservedFlags;
      const bytes = encodeMessage(msg);
      const decoded = ok(decodeMessage(bytes));
      expect(decoded.payloads).toEqual(payloads);
      expect(encodeMessage(decoded).equals(bytes)).toBe(true);
      const sk = payloads.findIndex((p) => p.type === PayloadType.SK || p.type === PayloadType.SKF);
      const plain = sk < 0 ? payloads : payloads.slice(0, sk);
      const chain = encodePayloadChain(plain);
      expect(ok(decodePayloadChain(chain.firstType, chain.bytes))).toEqual(plain);
    }
  });
});
