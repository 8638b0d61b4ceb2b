// RFC 7296 §3.15: Configuration payload (CP, type 47).
//
//   | CFG Type | RESERVED (3)                         |
//   | Configuration Attributes ...                   |
//
// Configuration attribute (§3.15.1):
//   |R| Attribute Type (15 bits) | Length (2)        |
//   | Value (Length octets) ...                      |
//
// Values are kept as octets; the meaning per attribute type (an IPv4
// address, address + prefix length, a DNS name) is the IKE layer's concern.

import { DecodeErrorCode } from '../errors.js';
import { joinPath } from '../reader.js';
import { PayloadType } from '../iana/payload-types.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface CpAttributeValue {
  /** Attribute Type (see iana/cp-types.ts CpAttribute). */
  type: number;
  /** Empty in a CFG_REQUEST that asks for "any value". */
  value: Uint8Array;
  /** The R bit, only when set (RFC 7296: MUST be zero). */
  reservedBit?: true;
}

export interface CpPayload extends PayloadBase<typeof PayloadType.CP> {
  /** CFG Type (see iana/cp-types.ts CfgType). */
  cfgType: number;
  attributes: CpAttributeValue[];
  reserved?: number;
}

export const cpCodec: PayloadCodec<CpPayload> = {
  name: 'CP',
  rfc: 'RFC 7296 §3.15',
  types: [PayloadType.CP],
  decode(r, type, critical) {
    const cfgType = r.u8('CFG Type');
    const reserved = r.u24('RESERVED');
    const attributes: CpAttributeValue[] = [];
    for (let i = 1; r.remaining > 0; i++) {
      const at = r.pos;
      const typeField = r.u16('Attribute Type');
      const length = r.u16('Length');
      if (length > r.remaining) {
        r.fail(DecodeErrorCode.TRUNCATED, `attribute length ${length} exceeds the ${r.remaining} byte(s) left`, at, joinPath(r, 'attribute', i));
      }
      const attr: CpAttributeValue = { type: typeField & 0x7fff, value: r.bytes(length, 'Value') };
      if (typeField & 0x8000) attr.reservedBit = true;
      attributes.push(attr);
    }
    return keepReserved({ type, critical, cfgType, attributes }, reserved);
  },
  encode(w, p) {
    w.u8(p.cfgType, 'CFG Type');
    w.u24(p.reserved ?? 0, 'RESERVED');
    for (const a of p.attributes) {
      if (a.type > 0x7fff) throw new RangeError(`Attribute Type: ${a.type} does not fit in 15 bits`);
      w.u16((a.reservedBit ? 0x8000 : 0) | a.type, 'Attribute Type');
      w.u16(a.value.length, 'Length');
      w.bytes(a.value);
    }
  },
};
