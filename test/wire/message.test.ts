// Whole messages: hand-built vectors decode to the expected structure,
// re-encode byte for byte, and give SK/SKF offsets for AEAD associated data.

import { describe, expect, it } from 'vitest';
import {
  ExchangeType,
  NotifyType,
  PayloadType,
  checkExchangeRules,
  decodeHeader,
  decodeMessage,
  encodeMessage,
  encodeMessageWithLayout,
  findNotify,
  findPayload,
  isPayload,
} from '../../src/wire/index.js';
import * as m from '../vectors/wire/messages.js';
import { sampleMessages } from '../vectors/wire/samples.js';
import { hexOf, ok } from './helpers.js';

describe('IKE_SA_INIT', () => {
  it('decodes the request header and chain', () => {
    const bytes = m.ikeSaInitRequest();
    const msg = ok(decodeMessage(bytes));
    expect(msg.header).toMatchObject({
      nextPayload: PayloadType.SA,
      majorVersion: 2,
      minorVersion: 0,
      exchangeType: ExchangeType.IKE_SA_INIT,
      flags: { initiator: true, response: false, version: false },
      messageId: 0,
      length: bytes.length,
    });
    expect(hexOf(msg.header.spiI)).toBe('0011223344556677');
    expect(hexOf(msg.header.spiR)).toBe('0000000000000000');
    expect(msg.payloads.map((p) => p.type)).toEqual([33, 34, 40, 41, 41, 43]);
    expect(findNotify(msg.payloads, NotifyType.NAT_DETECTION_DESTINATION_IP)?.data).toHaveLength(20);
    expect(findPayload(msg.payloads, PayloadType.KE)?.group).toBe(31);
    expect(msg.skBodyOffset).toBeUndefined();
    expect(hexOf(encodeMessage(msg))).toBe(bytes.toString('hex'));
    expect(checkExchangeRules(msg.header.exchangeType, false, msg.payloads)).toEqual([]);
  });

  it('decodes a notify-only response', () => {
    const msg = ok(decodeMessage(m.ikeSaInitInvalidKe()));
    expect(msg.header.flags).toEqual({ initiator: false, response: true, version: false });
    expect(findNotify(msg.payloads, NotifyType.INVALID_KE_PAYLOAD)?.data).toEqual(Buffer.from('0013', 'hex'));
    expect(checkExchangeRules(ExchangeType.IKE_SA_INIT, true, msg.payloads)).toEqual([]);
    expect(hexOf(encodeMessage(msg))).toBe(m.ikeSaInitInvalidKe().toString('hex'));
  });

  it('decodeHeader reads only the header', () => {
    const h = ok(decodeHeader(m.ikeSaInitRequest()));
    expect([h.exchangeType, h.length]).toEqual([34, 216]);
  });
});

describe('SK and SKF', () => {
  it('SK: nextPayload is the first inner type, body is opaque, AAD ends at the IV', () => {
    const bytes = m.ikeAuthRequestSk();
    const msg = ok(decodeMessage(bytes));
    const sk = msg.payloads[0]!;
    if (!isPayload(sk, PayloadType.SK)) throw new Error('not SK');
    expect(sk.nextPayload).toBe(PayloadType.IDi);
    expect(sk.body).toHaveLength(64);
    // RFC 5282 §5.1: associated data = IKE header + SK generic payload header.
    expect(msg.skBodyOffset).toBe(28 + 4);
    expect(hexOf(bytes.subarray(msg.skBodyOffset!, msg.skBodyOffset! + 16))).toBe('000102030405060708090a0b0c0d0e0f');
    const layout = encodeMessageWithLayout(msg);
    expect(hexOf(layout.bytes)).toBe(bytes.toString('hex'));
    expect(layout.skBodyOffset).toBe(32);
    expect(checkExchangeRules(ExchangeType.IKE_AUTH, false, msg.payloads)).toEqual([]);
  });

  it('SKF: fragment fields, AAD includes Fragment Number and Total Fragments', () => {
    const bytes = m.ikeAuthResponseSkf();
    const msg = ok(decodeMessage(bytes));
    const skf = msg.payloads[0]!;
    if (!isPayload(skf, PayloadType.SKF)) throw new Error('not SKF');
    expect([skf.nextPayload, skf.fragmentNumber, skf.totalFragments, skf.body.length]).toEqual([PayloadType.IDr, 1, 2, 40]);
    expect(msg.skBodyOffset).toBe(28 + 8);
    const layout = encodeMessageWithLayout(msg);
    expect(hexOf(layout.bytes)).toBe(bytes.toString('hex'));
    expect(layout.skBodyOffset).toBe(36);
  });
});

describe('exact round trip', () => {
  it('keeps every reserved field and bit', () => {
    const bytes = m.sloppyReservedBits();
    const msg = ok(decodeMessage(bytes));
    expect(msg.header.reservedFlags).toBe(0x05);
    const [id, auth, cp, ke, ts, sa] = msg.payloads;
    expect(id).toMatchObject({ headerReserved: 0x7f, reserved: 0xabcdef });
    expect(auth).toMatchObject({ reserved: 1 });
    expect(cp).toMatchObject({ reserved: 0x800100, attributes: [{ type: 1, reservedBit: true }] });
    expect(ke).toMatchObject({ reserved: 0xbeef });
    expect(ts).toMatchObject({ reserved: 0x010203 });
    expect(sa).toMatchObject({ proposals: [{ reserved: 0x55, transforms: [{ reserved: 0x66, reserved2: 0x77 }] }] });
    expect(hexOf(encodeMessage(msg))).toBe(bytes.toString('hex'));
  });

  for (const { name, message } of sampleMessages()) {
    it(`encode -> decode -> encode: ${name}`, () => {
      const bytes = encodeMessage(message);
      const decoded = ok(decodeMessage(bytes));
      expect(decoded.header.length).toBe(bytes.length);
      expect(decoded.payloads.map((p) => p.type)).toEqual(message.payloads.map((p) => p.type));
      expect(hexOf(encodeMessage(decoded))).toBe(bytes.toString('hex'));
    });
  }

  it('encodes an empty INFORMATIONAL (liveness check) with Next Payload 0', () => {
    const [sample] = sampleMessages();
    const bytes = encodeMessage({ header: { ...sample!.message.header, exchangeType: 37 }, payloads: [] });
    expect(bytes).toHaveLength(28);
    expect(bytes[16]).toBe(0);
    expect(ok(decodeMessage(bytes)).payloads).toEqual([]);
  });

  it('refuses to encode SK anywhere but last', () => {
    const [sample] = sampleMessages();
    expect(() =>
      encodeMessage({
        header: sample!.message.header,
        payloads: [
          { type: PayloadType.SK, critical: false, nextPayload: 0, body: new Uint8Array(32) },
          { type: PayloadType.V, critical: false, data: new Uint8Array(4) },
        ],
      }),
    ).toThrow(/last/);
  });
});
