// RFC 7296 §3.9: Nonce payload (Ni, Nr; type 40).
//
//   | Nonce Data (16..256 octets) ... |
//
// The 16..256 bound is checked by checkExchangeRules (a semantic rule), not
// here, so a decoded message always re-encodes.

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export const NONCE_MIN_LENGTH = 16;
export const NONCE_MAX_LENGTH = 256;

export interface NoncePayload extends PayloadBase<typeof PayloadType.NONCE> {
  data: Uint8Array;
}

export const nonceCodec: PayloadCodec<NoncePayload> = {
  name: 'Ni/Nr',
  rfc: 'RFC 7296 §3.9',
  types: [PayloadType.NONCE],
  decode(r, type, critical) {
    return { type, critical, data: r.rest() };
  },
  encode(w, p) {
    w.bytes(p.data);
  },
};
