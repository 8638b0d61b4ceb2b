// RFC 7296 §3.3: Security Association payload (SA, type 33).
//
// The body is a list of Proposal substructures (§3.3.1), each holding a list
// of Transform substructures (§3.3.2), each holding Transform Attributes
// (§3.3.5).
//
// Proposal substructure:
//   | Last Substruc (0 last, 2 more) | RESERVED | Proposal Length (2) |
//   | Proposal Num | Protocol ID | SPI Size | Num Transforms |
//   | SPI (SPI Size octets) ...                               |
//   | Transforms ...                                          |
//
// Transform substructure:
//   | Last Substruc (0 last, 3 more) | RESERVED | Transform Length (2) |
//   | Transform Type | RESERVED | Transform ID (2)                    |
//   | Transform Attributes ...                                        |
//
// Transform attribute:
//   |A| Attribute Type (15 bits) | AF=0: Attribute Length / AF=1: Value (2) |
//   | Attribute Value (AF=0 only) ...                                       |
//
// The "Last Substruc" markers duplicate what the lengths already say; a
// marker that contradicts them is rejected as INVALID_SYNTAX.

import { PayloadType } from '../iana/payload-types.js';
import { ATTR_KEY_LENGTH } from '../iana/transforms.js';
import { DecodeErrorCode } from '../errors.js';
import { joinPath, type ByteReader } from '../reader.js';
import type { ByteWriter } from '../writer.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

const PROPOSAL_MORE = 2;
const TRANSFORM_MORE = 3;
const LAST = 0;

/** TV format (AF=1): a 16-bit value in place of the length. */
export interface TvAttribute {
  format: 'TV';
  type: number;
  value: number;
}
/** TLV format (AF=0): variable-length value. */
export interface TlvAttribute {
  format: 'TLV';
  type: number;
  value: Uint8Array;
}
export type TransformAttribute = TvAttribute | TlvAttribute;

export interface Transform {
  /** Transform Type (ENCR=1, PRF=2, INTEG=3, KE=4, ESN=5; see iana/transforms.ts). */
  transformType: number;
  transformId: number;
  attributes: TransformAttribute[];
  /** RESERVED after Last Substruc, only when non-zero. */
  reserved?: number;
  /** RESERVED after Transform Type, only when non-zero. */
  reserved2?: number;
}

export interface Proposal {
  /** Proposal Num: 1 for the first, then equal or one more (RFC 7296 §3.3.1). */
  number: number;
  /** Protocol ID (IKE=1, AH=2, ESP=3; see iana/protocol-ids.ts). */
  protocolId: number;
  /** SPI; empty in the first IKE_SA_INIT, 8 octets for IKE rekey, 4 for AH/ESP. */
  spi: Uint8Array;
  transforms: Transform[];
  reserved?: number;
}

export interface SaPayload extends PayloadBase<typeof PayloadType.SA> {
  proposals: Proposal[];
}

/** The Key Length attribute (type 14, TV) of a transform, if present. */
export function transformKeyLength(t: Transform): number | undefined {
  for (const a of t.attributes) if (a.format === 'TV' && a.type === ATTR_KEY_LENGTH) return a.value;
  return undefined;
}

/** A Key Length attribute for `bits` (e.g. 256 for AES-256). */
export function keyLengthAttribute(bits: number): TvAttribute {
  return { format: 'TV', type: ATTR_KEY_LENGTH, value: bits };
}

function decodeAttribute(r: ByteReader, index: number): TransformAttribute {
  const typeField = r.u16('Attribute Type');
  const type = typeField & 0x7fff;
  if (typeField & 0x8000) return { format: 'TV', type, value: r.u16('Attribute Value') };
  const length = r.u16('Attribute Length');
  if (length > r.remaining) {
    r.fail(DecodeErrorCode.TRUNCATED, `attribute length ${length} exceeds the ${r.remaining} byte(s) left`, r.pos - 4, joinPath(r, 'attribute', index));
  }
  return { format: 'TLV', type, value: r.bytes(length, 'Attribute Value') };
}

/** The Last Substruc marker was checked by the caller (it knows whether more follow). */
function decodeTransform(r: ByteReader): Transform {
  r.u8('Last Substruc');
  const reserved = r.u8('RESERVED');
  r.u16('Transform Length');
  const transformType = r.u8('Transform Type');
  const reserved2 = r.u8('RESERVED');
  const transformId = r.u16('Transform ID');
  const attributes: TransformAttribute[] = [];
  for (let i = 1; r.remaining > 0; i++) attributes.push(decodeAttribute(r, i));
  const t: Transform = { transformType, transformId, attributes };
  keepReserved(t, reserved);
  if (reserved2 !== 0) t.reserved2 = reserved2;
  return t;
}

function checkLast(r: ByteReader, at: number, index: number, marker: number, more: boolean, moreValue: number, what: string): void {
  const expected = more ? moreValue : LAST;
  if (marker !== expected) {
    r.fail(DecodeErrorCode.INVALID_VALUE, `${what} Last Substruc is ${marker}, expected ${expected}`, at, joinPath(r, what, index));
  }
}

/** The Last Substruc marker was checked by the caller (it knows whether more follow). */
function decodeProposal(r: ByteReader): Proposal {
  r.u8('Last Substruc');
  const reserved = r.u8('RESERVED');
  r.u16('Proposal Length');
  const number = r.u8('Proposal Num');
  const protocolId = r.u8('Protocol ID');
  const spiSize = r.u8('SPI Size');
  const numTransforms = r.u8('Num Transforms');
  const spi = r.bytes(spiSize, 'SPI');
  const transforms: Transform[] = [];
  for (let i = 1; r.remaining > 0; i++) {
    const start = r.pos;
    const length = peekLength(r, i, 'transform');
    const sub = r.sub(length, 'transform', i, 8, 'transform');
    checkLast(r, start, i, r.buf[start]!, r.remaining > 0, TRANSFORM_MORE, 'transform');
    transforms.push(decodeTransform(sub));
  }
  if (transforms.length !== numTransforms) {
    r.fail(DecodeErrorCode.COUNT_MISMATCH, `Num Transforms says ${numTransforms}, found ${transforms.length}`, r.end);
  }
  const p: Proposal = { number, protocolId, spi, transforms };
  keepReserved(p, reserved);
  return p;
}

/** Reads the 16-bit length at offset 2 of a substructure without consuming it. */
function peekLength(r: ByteReader, index: number, what: string): number {
  if (r.remaining < 4) {
    r.fail(DecodeErrorCode.TRUNCATED, `${what} header needs 4 bytes, ${r.remaining} left`, r.pos, joinPath(r, what, index));
  }
  return (r.buf[r.pos + 2]! << 8) | r.buf[r.pos + 3]!;
}

export const saCodec: PayloadCodec<SaPayload> = {
  name: 'SA',
  rfc: 'RFC 7296 §3.3',
  types: [PayloadType.SA],
  decode(r, type, critical) {
    const proposals: Proposal[] = [];
    for (let i = 1; r.remaining > 0; i++) {
      const start = r.pos;
      const length = peekLength(r, i, 'proposal');
      const sub = r.sub(length, 'proposal', i, 8, 'proposal');
      checkLast(r, start, i, r.buf[start]!, r.remaining > 0, PROPOSAL_MORE, 'proposal');
      proposals.push(decodeProposal(sub));
    }
    // RFC 7296 §3.3: "one or more proposals"; an empty SA cannot be answered.
    if (proposals.length === 0) r.fail(DecodeErrorCode.INVALID_VALUE, 'SA payload without proposals');
    return { type, critical, proposals };
  },
  encode(w, sa) {
    sa.proposals.forEach((p, i) => encodeProposal(w, p, i === sa.proposals.length - 1));
  },
};

function encodeProposal(w: ByteWriter, p: Proposal, isLast: boolean): void {
  const start = w.pos;
  w.u8(isLast ? LAST : PROPOSAL_MORE, 'Last Substruc');
  w.u8(p.reserved ?? 0, 'RESERVED');
  w.u16(0, 'Proposal Length');
  w.u8(p.number, 'Proposal Num');
  w.u8(p.protocolId, 'Protocol ID');
  w.u8(p.spi.length, 'SPI Size');
  w.u8(p.transforms.length, 'Num Transforms');
  w.bytes(p.spi);
  p.transforms.forEach((t, i) => encodeTransform(w, t, i === p.transforms.length - 1));
  w.patchU16(start + 2, w.pos - start, 'Proposal Length');
}

function encodeTransform(w: ByteWriter, t: Transform, isLast: boolean): void {
  const start = w.pos;
  w.u8(isLast ? LAST : TRANSFORM_MORE, 'Last Substruc');
  w.u8(t.reserved ?? 0, 'RESERVED');
  w.u16(0, 'Transform Length');
  w.u8(t.transformType, 'Transform Type');
  w.u8(t.reserved2 ?? 0, 'RESERVED');
  w.u16(t.transformId, 'Transform ID');
  for (const a of t.attributes) {
    if (a.type > 0x7fff) throw new RangeError(`Attribute Type: ${a.type} does not fit in 15 bits`);
    if (a.format === 'TV') {
      w.u16(0x8000 | a.type, 'Attribute Type');
      w.u16(a.value, 'Attribute Value');
    } else {
      w.u16(a.type, 'Attribute Type');
      w.u16(a.value.length, 'Attribute Length');
      w.bytes(a.value);
    }
  }
  w.patchU16(start + 2, w.pos - start, 'Transform Length');
}
