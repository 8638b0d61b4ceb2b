// RFC 7296 §3.12: Vendor ID payload (V, type 43).
//
//   | Vendor ID (VID) ... |

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface VendorIdPayload extends PayloadBase<typeof PayloadType.V> {
  data: Uint8Array;
}

export const vendorIdCodec: PayloadCodec<VendorIdPayload> = {
  name: 'V',
  rfc: 'RFC 7296 §3.12',
  types: [PayloadType.V],
  decode(r, type, critical) {
    return { type, critical, data: r.rest() };
  },
  encode(w, p) {
    w.bytes(p.data);
  },
};
