// RFC 7296 §3.4: Key Exchange payload (KE, type 34).
//
//   | Diffie-Hellman Group Num (2) | RESERVED (2) |
//   | Key Exchange Data ...                       |
//
// RFC 9370 renamed the group field "Key Exchange Method"; the data length
// is fixed per group, which the crypto layer checks (INVALID_SYNTAX there).

import { PayloadType } from '../iana/payload-types.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface KePayload extends PayloadBase<typeof PayloadType.KE> {
  /** Diffie-Hellman Group Num (IANA Transform Type 4 IDs, see iana/transforms.ts KE). */
  group: number;
  data: Uint8Array;
  reserved?: number;
}

export const keCodec: PayloadCodec<KePayload> = {
  name: 'KE',
  rfc: 'RFC 7296 §3.4',
  types: [PayloadType.KE],
  decode(r, type, critical) {
    const group = r.u16('Diffie-Hellman Group Num');
    const reserved = r.u16('RESERVED');
    return keepReserved({ type, critical, group, data: r.rest() }, reserved);
  },
  encode(w, p) {
    w.u16(p.group, 'Diffie-Hellman Group Num');
    w.u16(p.reserved ?? 0, 'RESERVED');
    w.bytes(p.data);
  },
};
