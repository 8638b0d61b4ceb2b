// RFC 7296 §3.13: Traffic Selector payloads (TSi type 44, TSr type 45).
//
//   | Number of TSs | RESERVED (3)   |
//   | Traffic Selectors ...          |
//
// Traffic selector (§3.13.1), TS_IPV4_ADDR_RANGE (7) / TS_IPV6_ADDR_RANGE (8):
//   | TS Type | IP Protocol ID | Selector Length (2) |
//   | Start Port (2)         | End Port (2)          |
//   | Starting Address (4 or 16 octets)              |
//   | Ending Address (4 or 16 octets)                |
//
// Other TS types (TS_FC_ADDR_RANGE, RFC 9478 TS_SECLABEL, future ones)
// share only the first four octets; they are kept opaque so a peer's
// selector we do not understand survives a decode/encode.

import { DecodeErrorCode } from '../errors.js';
import { PayloadType } from '../iana/payload-types.js';
import { TsType } from '../iana/ts-types.js';
import { joinPath, type ByteReader } from '../reader.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface AddressRangeSelector {
  tsType: typeof TsType.TS_IPV4_ADDR_RANGE | typeof TsType.TS_IPV6_ADDR_RANGE;
  /** IP protocol number, 0 = any. */
  ipProtocol: number;
  startPort: number;
  endPort: number;
  /** 4 octets for IPv4, 16 for IPv6. */
  startAddress: Uint8Array;
  endAddress: Uint8Array;
}

export interface OpaqueSelector {
  tsType: number;
  /** Second octet (IP Protocol ID for range types, RESERVED for TS_SECLABEL). */
  ipProtocol: number;
  /** Everything after the Selector Length field. */
  data: Uint8Array;
}

export type TrafficSelector = AddressRangeSelector | OpaqueSelector;

export interface TsPayload extends PayloadBase<typeof PayloadType.TSi | typeof PayloadType.TSr> {
  selectors: TrafficSelector[];
  reserved?: number;
}

const addressLength = (tsType: number): number | undefined =>
  tsType === TsType.TS_IPV4_ADDR_RANGE ? 4 : tsType === TsType.TS_IPV6_ADDR_RANGE ? 16 : undefined;

export function isAddressRange(s: TrafficSelector): s is AddressRangeSelector {
  return addressLength(s.tsType) !== undefined && 'startAddress' in s;
}

function decodeSelector(r: ByteReader): TrafficSelector {
  const tsType = r.u8('TS Type');
  const ipProtocol = r.u8('IP Protocol ID');
  const length = r.u16('Selector Length');
  const addrLen = addressLength(tsType);
  if (addrLen === undefined) return { tsType, ipProtocol, data: r.rest() };
  if (length !== 8 + 2 * addrLen) {
    r.fail(DecodeErrorCode.INVALID_LENGTH, `Selector Length ${length} for TS type ${tsType} must be ${8 + 2 * addrLen}`, r.pos - 2);
  }
  return {
    tsType: tsType as AddressRangeSelector['tsType'],
    ipProtocol,
    startPort: r.u16('Start Port'),
    endPort: r.u16('End Port'),
    startAddress: r.bytes(addrLen, 'Starting Address'),
    endAddress: r.bytes(addrLen, 'Ending Address'),
  };
}

export const tsCodec: PayloadCodec<TsPayload> = {
  name: 'TS',
  rfc: 'RFC 7296 §3.13',
  types: [PayloadType.TSi, PayloadType.TSr],
  decode(r, type, critical) {
    const countAt = r.pos;
    const count = r.u8('Number of TSs');
    const reserved = r.u24('RESERVED');
    const selectors: TrafficSelector[] = [];
    for (let i = 1; r.remaining > 0; i++) {
      if (r.remaining < 4) {
        r.fail(DecodeErrorCode.TRUNCATED, `selector header needs 4 bytes, ${r.remaining} left`, r.pos, joinPath(r, 'selector', i));
      }
      const length = (r.buf[r.pos + 2]! << 8) | r.buf[r.pos + 3]!;
      selectors.push(decodeSelector(r.sub(length, 'selector', i, 4, 'traffic selector')));
    }
    if (selectors.length !== count) {
      r.fail(DecodeErrorCode.COUNT_MISMATCH, `Number of TSs says ${count}, found ${selectors.length}`, countAt);
    }
    return keepReserved({ type, critical, selectors }, reserved);
  },
  encode(w, p) {
    w.u8(p.selectors.length, 'Number of TSs');
    w.u24(p.reserved ?? 0, 'RESERVED');
    for (const s of p.selectors) {
      const start = w.pos;
      w.u8(s.tsType, 'TS Type');
      w.u8(s.ipProtocol, 'IP Protocol ID');
      w.u16(0, 'Selector Length');
      if ('startAddress' in s) {
        const addrLen = addressLength(s.tsType);
        w.u16(s.startPort, 'Start Port');
        w.u16(s.endPort, 'End Port');
        w.bytes(s.startAddress, 'Starting Address', addrLen);
        w.bytes(s.endAddress, 'Ending Address', addrLen);
      } else {
        w.bytes(s.data);
      }
      w.patchU16(start + 2, w.pos - start, 'Selector Length');
    }
  },
};
