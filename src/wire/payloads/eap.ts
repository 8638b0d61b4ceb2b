// RFC 7296 §3.16: Extensible Authentication payload (EAP, type 48).
//
// The body is one EAP message (RFC 3748 §4):
//   | Code | Identifier | Length (2) |
//   | Type | Type_Data ...           |   (Type only when Length > 4)
//
// Length must equal the payload body length. Success (3) and Failure (4)
// have no Type.

import { DecodeErrorCode } from '../errors.js';
import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export const EapCode = { Request: 1, Response: 2, Success: 3, Failure: 4, Initiate: 5, Finish: 6 } as const;

export interface EapPayload extends PayloadBase<typeof PayloadType.EAP> {
  code: number;
  identifier: number;
  /** EAP method type; absent for a 4-octet message (Success/Failure). */
  eapType?: number;
  /** Type_Data. */
  data: Uint8Array;
}

export const eapCodec: PayloadCodec<EapPayload> = {
  name: 'EAP',
  rfc: 'RFC 7296 §3.16',
  types: [PayloadType.EAP],
  decode(r, type, critical) {
    const code = r.u8('Code');
    const identifier = r.u8('Identifier');
    const lengthAt = r.pos;
    const length = r.u16('Length');
    if (length !== r.end - lengthAt + 2) {
      r.fail(DecodeErrorCode.INVALID_LENGTH, `EAP Length ${length} != payload body length ${r.end - lengthAt + 2}`, lengthAt);
    }
    if (length === 4) return { type, critical, code, identifier, data: r.rest() };
    const eapType = r.u8('Type');
    return { type, critical, code, identifier, eapType, data: r.rest() };
  },
  encode(w, p) {
    const length = 4 + (p.eapType === undefined ? 0 : 1 + p.data.length);
    if (p.eapType === undefined && p.data.length > 0) throw new RangeError('EAP Type_Data without a Type');
    w.u8(p.code, 'Code');
    w.u8(p.identifier, 'Identifier');
    w.u16(length, 'Length');
    if (p.eapType !== undefined) {
      w.u8(p.eapType, 'Type');
      w.bytes(p.data);
    }
  },
};
