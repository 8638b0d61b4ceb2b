// RFC 7383 §2.5: Encrypted and Authenticated Fragment payload (SKF, type 53).
//
//   | Fragment Number (2) | Total Fragments (2)           |
//   | Initialization Vector | Encrypted content | Padding | Pad Length | ICV |
//
// Next Payload in the generic header is the first inner payload type in
// fragment 1 and 0 in the others. The AEAD associated data covers the
// Fragment Number and Total Fragments fields too (RFC 7383 §2.5), so
// IkeMessage.skBodyOffset points after them.

import { DecodeErrorCode } from '../errors.js';
import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface SkfPayload extends PayloadBase<typeof PayloadType.SKF> {
  /** First inner payload type in fragment 1, 0 in the others. */
  nextPayload: number;
  /** 1-based. */
  fragmentNumber: number;
  totalFragments: number;
  /** IV | ciphertext | ICV, opaque to the codec. */
  body: Uint8Array;
}

export const skfCodec: PayloadCodec<SkfPayload> = {
  name: 'SKF',
  rfc: 'RFC 7383 §2.5',
  types: [PayloadType.SKF],
  decode(r, type, critical) {
    const at = r.pos;
    const fragmentNumber = r.u16('Fragment Number');
    const totalFragments = r.u16('Total Fragments');
    // RFC 7383 §2.6: numbering starts at 1 and never exceeds the total.
    if (fragmentNumber === 0 || fragmentNumber > totalFragments) {
      r.fail(DecodeErrorCode.INVALID_VALUE, `Fragment Number ${fragmentNumber} of Total Fragments ${totalFragments}`, at);
    }
    return { type, critical, nextPayload: 0, fragmentNumber, totalFragments, body: r.rest() };
  },
  encode(w, p) {
    w.u16(p.fragmentNumber, 'Fragment Number');
    w.u16(p.totalFragments, 'Total Fragments');
    w.bytes(p.body);
  },
};
