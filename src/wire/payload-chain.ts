// RFC 7296 §3.2: the generic payload header and the payload chain.
//
//   | Next Payload |C|  RESERVED  |  Payload Length (2) |
//
// Each payload names the type of the one after it; the header names the
// first. Payload Length includes these 4 octets. A chain must fill its
// container exactly. An unknown type with C clear is kept as an
// UnknownPayload; with C set the message is rejected with
// UNSUPPORTED_CRITICAL_PAYLOAD carrying the one-octet payload type
// (§3.10.1). SK and SKF end the outer chain: their Next Payload names the
// first encrypted payload.

import { DecodeErrorCode, toDecodeError, WireError, type DecodeResult } from './errors.js';
import { NotifyType } from './iana/notify-types.js';
import { PayloadType, payloadTypeName } from './iana/payload-types.js';
import { codecFor, type Payload } from './payload.js';
import type { SkfPayload } from './payloads/fragment.js';
import type { SkPayload } from './payloads/encrypted.js';
import { ByteReader, joinPath } from './reader.js';
import { ByteWriter } from './writer.js';

export const GENERIC_PAYLOAD_HEADER_LENGTH = 4;

export interface DecodedChain {
  payloads: Payload[];
  /** Offset of the first byte after the SK/SKF associated data (the IV), if an SK/SKF payload ended the chain. */
  skBodyOffset?: number;
}

/**
 * Decodes the chain in buf[start, end) starting with `firstType`. Throws
 * WireError; the public wrappers below and decodeMessage turn that into a
 * DecodeResult.
 */
export function readChain(buf: Uint8Array, start: number, end: number, firstType: number, basePath: string): DecodedChain {
  const payloads: Payload[] = [];
  let next = firstType;
  let pos = start;
  // Error paths only: "SK" above the inner payloads.
  const root = basePath ? new ByteReader(buf, start, start, null, basePath) : null;
  while (next !== PayloadType.NONE) {
    const type = next;
    // Error paths name repeated payloads "N[2]"; they are counted only when
    // an error is reported: counting eagerly made a 64 KiB flood of empty
    // payloads quadratic (~0.6 s per datagram).
    if (end - pos < GENERIC_PAYLOAD_HEADER_LENGTH) {
      throw new WireError(DecodeErrorCode.TRUNCATED, `generic payload header needs 4 bytes, ${end - pos} left`, pos, joinPath(root, payloadTypeName(type), sameTypeBefore(payloads, type)));
    }
    next = buf[pos]!;
    const flags = buf[pos + 1]!;
    const length = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    if (length < GENERIC_PAYLOAD_HEADER_LENGTH) {
      throw new WireError(DecodeErrorCode.INVALID_LENGTH, `Payload Length ${length} is below 4`, pos, joinPath(root, payloadTypeName(type), sameTypeBefore(payloads, type)));
    }
    if (length > end - pos) {
      throw new WireError(DecodeErrorCode.TRUNCATED, `Payload Length ${length} exceeds the ${end - pos} byte(s) left`, pos, joinPath(root, payloadTypeName(type), sameTypeBefore(payloads, type)));
    }
    const critical = (flags & 0x80) !== 0;
    const codec = codecFor(type);
    const body = new PayloadBodyReader(buf, pos + GENERIC_PAYLOAD_HEADER_LENGTH, pos + length, root, payloads, type);
    if (codec === undefined) {
      if (critical) {
        throw new WireError(
          DecodeErrorCode.UNSUPPORTED_CRITICAL_PAYLOAD,
          `unknown payload type ${type} has the critical bit set`,
          pos,
          joinPath(root, payloadTypeName(type), sameTypeBefore(payloads, type)),
          NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
          Uint8Array.of(type),
        );
      }
      const unknown: Payload = { type, critical, raw: body.rest() };
      if (flags & 0x7f) unknown.headerReserved = flags & 0x7f;
      payloads.push(unknown);
    } else {
      const p = codec.decode(body, type as never, critical);
      if (flags & 0x7f) p.headerReserved = flags & 0x7f;
      body.expectEnd(codec.name);
      payloads.push(p);
      if (type === PayloadType.SK || type === PayloadType.SKF) {
        (p as SkPayload | SkfPayload).nextPayload = next;
        if (pos + length !== end) {
          throw new WireError(
            DecodeErrorCode.TRAILING_DATA,
            `${end - pos - length} byte(s) after the ${codec.name} payload, which must be last`,
            pos + length,
            joinPath(root, payloadTypeName(type), sameTypeBefore(payloads, type, payloads.length - 1)),
          );
        }
        const aadLength = type === PayloadType.SKF ? 8 : GENERIC_PAYLOAD_HEADER_LENGTH;
        return { payloads, skBodyOffset: pos + aadLength };
      }
    }
    pos += length;
  }
  if (pos !== end) {
    throw new WireError(DecodeErrorCode.TRAILING_DATA, `${end - pos} byte(s) after the last payload`, pos, joinPath(root, 'NONE', 0));
  }
  return { payloads };
}

/** 0 for the first payload of its type in the chain so far, else its 1-based number. */
function sameTypeBefore(payloads: readonly Payload[], type: number, upTo = payloads.length): number {
  let count = 1;
  for (let i = 0; i < upTo; i++) if (payloads[i]!.type === type) count++;
  return count > 1 ? count : 0;
}

/**
 * The reader of one payload body. Its path index ("N[2]") is computed from
 * the payloads decoded before it, only when an error asks for the path.
 */
class PayloadBodyReader extends ByteReader {
  private readonly chainPosition: number;

  constructor(
    buf: Uint8Array,
    start: number,
    end: number,
    parent: ByteReader | null,
    private readonly chain: readonly Payload[],
    private readonly type: number,
  ) {
    super(buf, start, end, parent, '');
    this.chainPosition = chain.length;
  }

  override get path(): string {
    return joinPath(this.parent, payloadTypeName(this.type), sameTypeBefore(this.chain, this.type, this.chainPosition));
  }
}

/**
 * Decodes a payload chain, typically the plaintext of an SK payload after
 * decryption (firstType = SK's nextPayload). Never throws. Error offsets are
 * relative to `bytes` plus `baseOffset`; paths start with `basePath`
 * (e.g. "SK").
 */
export function decodePayloadChain(
  firstType: number,
  bytes: Uint8Array,
  basePath = '',
  baseOffset = 0,
): DecodeResult<Payload[]> {
  try {
    const { payloads } = readChain(bytes, 0, bytes.length, firstType, basePath);
    return { ok: true, value: payloads };
  } catch (e) {
    const error = toDecodeError(e, basePath);
    error.offset += baseOffset;
    return { ok: false, error };
  }
}

/** Writes the chain; returns the type to put in the preceding Next Payload field. */
export function writeChain(w: ByteWriter, payloads: readonly Payload[]): number {
  payloads.forEach((p, i) => {
    const isEncrypted = 'body' in p && (p.type === PayloadType.SK || p.type === PayloadType.SKF);
    if (isEncrypted && i !== payloads.length - 1) {
      throw new RangeError(`${payloadTypeName(p.type)} must be the last payload of a chain`);
    }
    const start = w.pos;
    const next = isEncrypted ? (p as SkPayload | SkfPayload).nextPayload : (payloads[i + 1]?.type ?? PayloadType.NONE);
    w.u8(next, 'Next Payload');
    w.u8((p.critical ? 0x80 : 0) | ((p.headerReserved ?? 0) & 0x7f), 'Flags');
    w.u16(0, 'Payload Length');
    if ('raw' in p) {
      w.bytes(p.raw);
    } else {
      const codec = codecFor(p.type);
      if (codec === undefined) throw new RangeError(`payload type ${p.type} has no codec; give it a raw body`);
      codec.encode(w, p);
    }
    w.patchU16(start + 2, w.pos - start, `${payloadTypeName(p.type)} Payload Length`);
  });
  return payloads[0]?.type ?? PayloadType.NONE;
}

/** Encodes a chain for SK encryption: `firstType` goes into the SK payload's nextPayload. */
export function encodePayloadChain(payloads: readonly Payload[]): { firstType: number; bytes: Uint8Array } {
  const w = new ByteWriter();
  const firstType = writeChain(w, payloads);
  return { firstType, bytes: w.finish() };
}
