// Malformed input: every error is returned (never thrown) with a stable
// code, the offending byte offset, the payload path and the notify to send.

import { describe, expect, it } from 'vitest';
import {
  DecodeErrorCode,
  NotifyType,
  PayloadType,
  decodeHeader,
  decodeMessage,
  decodePayloadChain,
} from '../../src/wire/index.js';
import { hex } from '../vectors/wire/hex.js';
import * as m from '../vectors/wire/messages.js';
import * as v from '../vectors/wire/payloads.js';
import { err } from './helpers.js';

const withLength = (bytes: Buffer, length: number): Buffer => {
  const b = Buffer.from(bytes.subarray(0, length));
  b.writeUInt32BE(length, 24);
  return b;
};

/** Start offsets of the top-level payloads of a message (walks the generic headers). */
function payloadStarts(bytes: Buffer): number[] {
  const starts: number[] = [];
  let next = bytes[16]!;
  let pos = 28;
  while (next !== 0) {
    starts.push(pos);
    next = bytes[pos]!;
    pos += bytes.readUInt16BE(pos + 2);
  }
  return starts;
}

describe('header errors', () => {
  it('major version 3 asks for INVALID_MAJOR_VERSION and keeps the header to answer', () => {
    const b = m.ikeSaInitRequest();
    b[17] = 0x30;
    const e = err(decodeMessage(b));
    expect(e).toMatchObject({ code: DecodeErrorCode.INVALID_MAJOR_VERSION, notify: NotifyType.INVALID_MAJOR_VERSION, offset: 17, path: 'header/version' });
    expect(e.header?.messageId).toBe(0);
    expect(e.header?.spiI.toString('hex')).toBe('0011223344556677');
    expect(err(decodeHeader(b)).code).toBe(DecodeErrorCode.INVALID_MAJOR_VERSION);
  });

  it('IKEv1 (major version 1) is rejected without a notify', () => {
    const b = m.ikeSaInitRequest();
    b[17] = 0x10;
    const e = err(decodeMessage(b));
    expect(e.code).toBe(DecodeErrorCode.INVALID_MAJOR_VERSION);
    expect(e.notify).toBeUndefined();
  });

  it('a minor version above 0 is accepted (RFC 7296 §2.5)', () => {
    const b = m.ikeSaInitRequest();
    b[17] = 0x21;
    expect(decodeMessage(b).ok).toBe(true);
  });

  it('Length below 28', () => {
    const b = m.ikeSaInitRequest();
    b.writeUInt32BE(20, 24);
    expect(err(decodeMessage(b))).toMatchObject({ code: DecodeErrorCode.INVALID_LENGTH, offset: 24, notify: NotifyType.INVALID_SYNTAX });
  });

  it('bytes after Length', () => {
    const b = Buffer.concat([m.ikeSaInitRequest(), Buffer.from([0, 0])]);
    expect(err(decodeMessage(b))).toMatchObject({ code: DecodeErrorCode.TRAILING_DATA, offset: 216 });
  });
});

describe('truncation', () => {
  for (const [name, build] of [
    ['IKE_SA_INIT', m.ikeSaInitRequest],
    ['IKE_AUTH SK', m.ikeAuthRequestSk],
    ['SKF', m.ikeAuthResponseSkf],
  ] as const) {
    it(`${name}: every shorter datagram is an error at the byte where data ends`, () => {
      const full = build();
      for (let len = 0; len < full.length; len++) {
        const e = err(decodeMessage(full.subarray(0, len)));
        expect(e.code).toBe(DecodeErrorCode.TRUNCATED);
        expect(e.offset).toBe(len);
        expect(e.path).toBe(len < 28 ? 'header' : 'header/length');
      }
    });
  }

  it('every shorter message (Length adjusted) is an error at the first payload that does not fit', () => {
    const full = m.ikeSaInitRequest();
    const starts = payloadStarts(full);
    const names = ['SA', 'KE', 'NONCE', 'N', 'N[2]', 'V'];
    for (let len = 28; len < full.length; len++) {
      const e = err(decodeMessage(withLength(full, len)));
      // The payload that starts at or before `len` and does not end by it.
      const i = starts.findIndex((s, k) => (starts[k + 1] ?? full.length) > len && s <= len);
      expect(e.code).toBe(DecodeErrorCode.TRUNCATED);
      expect(e.offset).toBe(starts[i]);
      expect(e.path).toBe(names[i]);
    }
  });

  it('every shorter SA payload is an error inside the right proposal', () => {
    const sa = v.saIke();
    for (let len = 4; len < sa.length; len++) {
      const b = Buffer.from(sa.subarray(0, len));
      b.writeUInt16BE(len, 2);
      const e = err(decodePayloadChain(PayloadType.SA, b));
      if (len === 4) expect(e).toMatchObject({ code: DecodeErrorCode.INVALID_VALUE, path: 'SA' });
      else if (len < 48) expect(e).toMatchObject({ code: DecodeErrorCode.TRUNCATED, offset: 4, path: 'SA/proposal[1]' });
      else if (len === 48) expect(e).toMatchObject({ code: DecodeErrorCode.INVALID_VALUE, offset: 4, path: 'SA/proposal[1]' });
      else expect(e).toMatchObject({ code: DecodeErrorCode.TRUNCATED, offset: 48, path: 'SA/proposal[2]' });
    }
  });
});

describe('critical and unknown payloads', () => {
  it('an unknown payload with the critical bit rejects the message with UNSUPPORTED_CRITICAL_PAYLOAD', () => {
    const chain = Buffer.concat([v.nonce('3c'), v.unknownCritical('00')]);
    const e = err(decodePayloadChain(PayloadType.NONCE, chain));
    expect(e).toMatchObject({
      code: DecodeErrorCode.UNSUPPORTED_CRITICAL_PAYLOAD,
      notify: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
      notifyData: Uint8Array.of(60),
      offset: 20,
      path: 'PAYLOAD#60',
    });
  });

  it('a known payload with the critical bit is decoded and keeps the bit', () => {
    const b = v.nonce();
    b[1] = 0x80;
    const r = decodePayloadChain(PayloadType.NONCE, b);
    expect(r.ok && r.value[0]!.critical).toBe(true);
  });

  it('a non-critical unknown payload between known ones is skipped and kept', () => {
    const chain = Buffer.concat([v.nonce('3c'), v.unknownNonCritical('2b'), v.vendorId('00')]);
    const r = decodePayloadChain(PayloadType.NONCE, chain);
    expect(r.ok && r.value.map((p) => p.type)).toEqual([40, 60, 43]);
  });
});

describe('structure errors name the path and offset', () => {
  const cases: { name: string; type: number; bytes: () => Buffer; code: string; offset: number; path: string }[] = [
    {
      name: 'Payload Length below 4',
      type: PayloadType.V,
      bytes: () => hex('00 00 0003 aa'),
      code: DecodeErrorCode.INVALID_LENGTH,
      offset: 0,
      path: 'V',
    },
    {
      name: 'bytes after the last payload',
      type: PayloadType.V,
      bytes: () => Buffer.concat([v.vendorId(), hex('0000')]),
      code: DecodeErrorCode.TRAILING_DATA,
      offset: 12,
      path: 'NONE',
    },
    {
      name: 'Num Transforms disagrees',
      type: PayloadType.SA,
      bytes: () => patch(v.saIke(), 11, 5),
      code: DecodeErrorCode.COUNT_MISMATCH,
      offset: 48,
      path: 'SA/proposal[1]',
    },
    {
      name: 'Last Substruc of a transform says last but more follow',
      type: PayloadType.SA,
      bytes: () => patch(v.saIke(), 12, 0),
      code: DecodeErrorCode.INVALID_VALUE,
      offset: 12,
      path: 'SA/proposal[1]/transform[1]',
    },
    {
      name: 'transform length below 8',
      type: PayloadType.SA,
      bytes: () => patch(v.saIke(), 27, 4),
      code: DecodeErrorCode.INVALID_LENGTH,
      offset: 24,
      path: 'SA/proposal[1]/transform[2]',
    },
    {
      name: 'TLV attribute longer than its transform',
      type: PayloadType.SA,
      bytes: () => patch(v.saEsp(), 39, 9),
      code: DecodeErrorCode.TRUNCATED,
      offset: 36,
      path: 'SA/proposal[1]/transform[2]/attribute[1]',
    },
    {
      name: 'SPI Size beyond the proposal',
      type: PayloadType.SA,
      bytes: () => patch(v.saEsp(), 10, 200),
      code: DecodeErrorCode.TRUNCATED,
      offset: 12,
      path: 'SA/proposal[1]',
    },
    {
      name: 'IPv4 selector with an IPv6 length',
      type: PayloadType.TSi,
      bytes: () => patch(v.tsIpv4(), 11, 40),
      code: DecodeErrorCode.TRUNCATED,
      offset: 8,
      path: 'TSi/selector[1]',
    },
    {
      name: 'IPv4 selector length 12',
      type: PayloadType.TSi,
      bytes: () => patch(v.tsIpv4(), 11, 12),
      code: DecodeErrorCode.INVALID_LENGTH,
      offset: 10,
      path: 'TSi/selector[1]',
    },
    {
      name: 'Number of TSs disagrees',
      type: PayloadType.TSr,
      bytes: () => patch(v.tsIpv4(), 4, 3),
      code: DecodeErrorCode.COUNT_MISMATCH,
      offset: 4,
      path: 'TSr',
    },
    {
      name: 'Num of SPIs disagrees',
      type: PayloadType.D,
      bytes: () => patch(v.deleteEsp(), 7, 4),
      code: DecodeErrorCode.COUNT_MISMATCH,
      offset: 6,
      path: 'D',
    },
    {
      name: 'Num of SPIs with SPI Size 0 (would allocate 65535 empty SPIs)',
      type: PayloadType.D,
      bytes: () => hex('00 00 0008 01 00 ffff'),
      code: DecodeErrorCode.COUNT_MISMATCH,
      offset: 6,
      path: 'D',
    },
    {
      name: 'N SPI Size beyond the payload',
      type: PayloadType.N,
      bytes: () => patch(v.notifyWithSpi(), 5, 9),
      code: DecodeErrorCode.TRUNCATED,
      offset: 8,
      path: 'N',
    },
    {
      name: 'CP attribute longer than the payload',
      type: PayloadType.CP,
      bytes: () => patch(v.cpReply(), 11, 200),
      code: DecodeErrorCode.TRUNCATED,
      offset: 8,
      path: 'CP/attribute[1]',
    },
    {
      name: 'EAP Length disagrees with the payload',
      type: PayloadType.EAP,
      bytes: () => patch(v.eapIdentityRequest(), 7, 9),
      code: DecodeErrorCode.INVALID_LENGTH,
      offset: 6,
      path: 'EAP',
    },
    {
      name: 'KE shorter than its fixed fields',
      type: PayloadType.KE,
      bytes: () => hex('00 00 0006 001f'),
      code: DecodeErrorCode.TRUNCATED,
      offset: 6,
      path: 'KE',
    },
    {
      name: 'SKF Fragment Number 0',
      type: PayloadType.SKF,
      bytes: () => hex('00 00 000c 0000 0002 aabbccdd'),
      code: DecodeErrorCode.INVALID_VALUE,
      offset: 4,
      path: 'SKF',
    },
    {
      name: 'SKF Fragment Number above Total Fragments',
      type: PayloadType.SKF,
      bytes: () => hex('00 00 000c 0003 0002 aabbccdd'),
      code: DecodeErrorCode.INVALID_VALUE,
      offset: 4,
      path: 'SKF',
    },
    {
      name: 'bytes after SK',
      type: PayloadType.SK,
      bytes: () => hex('23 00 0008 aabbccdd 00 00 0004'),
      code: DecodeErrorCode.TRAILING_DATA,
      offset: 8,
      path: 'SK',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = err(decodePayloadChain(c.type, c.bytes()));
      expect({ code: e.code, offset: e.offset, path: e.path, notify: e.notify }).toEqual({
        code: c.code,
        offset: c.offset,
        path: c.path,
        notify: NotifyType.INVALID_SYNTAX,
      });
    });
  }

  it('decodePayloadChain shifts offsets and prefixes paths for SK plaintext', () => {
    const e = err(decodePayloadChain(PayloadType.SA, patch(v.saIke(), 11, 5), 'SK', 32));
    expect([e.offset, e.path]).toEqual([80, 'SK/SA/proposal[1]']);
  });

  it('never throws on odd inputs', () => {
    for (const b of [new Uint8Array(0), new Uint8Array(28), new Uint8Array(100).fill(0xff), new Uint8Array(new ArrayBuffer(64), 3, 40)]) {
      expect(() => decodeMessage(b)).not.toThrow();
      expect(() => decodePayloadChain(33, b)).not.toThrow();
    }
  });
});

function patch(b: Buffer, at: number, value: number): Buffer {
  const c = Buffer.from(b);
  c[at] = value;
  return c;
}
