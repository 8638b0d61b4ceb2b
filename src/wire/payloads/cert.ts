// RFC 7296 §3.6: Certificate payload (CERT, type 37).
//
//   | Cert Encoding | Certificate Data ... |

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface CertPayload extends PayloadBase<typeof PayloadType.CERT> {
  /** Cert Encoding (see iana/cert-encodings.ts); 4 = X.509 Certificate - Signature (DER). */
  encoding: number;
  data: Uint8Array;
}

export const certCodec: PayloadCodec<CertPayload> = {
  name: 'CERT',
  rfc: 'RFC 7296 §3.6',
  types: [PayloadType.CERT],
  decode(r, type, critical) {
    const encoding = r.u8('Cert Encoding');
    return { type, critical, encoding, data: r.rest() };
  },
  encode(w, p) {
    w.u8(p.encoding, 'Cert Encoding');
    w.bytes(p.data);
  },
};
