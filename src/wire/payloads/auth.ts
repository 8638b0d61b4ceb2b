// RFC 7296 §3.8: Authentication payload (AUTH, type 39).
//
//   | Auth Method | RESERVED (3)          |
//   | Authentication Data ...             |
//
// With method 14 (RFC 7427 Digital Signature) the data starts with a
// one-octet ASN.1 length and the AlgorithmIdentifier; the crypto layer
// parses that, the codec carries it.

import { PayloadType } from '../iana/payload-types.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface AuthPayload extends PayloadBase<typeof PayloadType.AUTH> {
  /** Auth Method (see iana/auth-methods.ts). */
  method: number;
  data: Uint8Array;
  reserved?: number;
}

export const authCodec: PayloadCodec<AuthPayload> = {
  name: 'AUTH',
  rfc: 'RFC 7296 §3.8',
  types: [PayloadType.AUTH],
  decode(r, type, critical) {
    const method = r.u8('Auth Method');
    const reserved = r.u24('RESERVED');
    return keepReserved({ type, critical, method, data: r.rest() }, reserved);
  },
  encode(w, p) {
    w.u8(p.method, 'Auth Method');
    w.u24(p.reserved ?? 0, 'RESERVED');
    w.bytes(p.data);
  },
};
