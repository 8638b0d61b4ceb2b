// RFC 7296 §3.7: Certificate Request payload (CERTREQ, type 38).
//
//   | Cert Encoding | Certification Authority ... |
//
// For X.509 encodings the authority field is a concatenation of 20-octet
// SHA-1 hashes of trusted CAs' public keys (certReqAuthorities() splits it).

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface CertReqPayload extends PayloadBase<typeof PayloadType.CERTREQ> {
  encoding: number;
  authority: Uint8Array;
}

export const certReqCodec: PayloadCodec<CertReqPayload> = {
  name: 'CERTREQ',
  rfc: 'RFC 7296 §3.7',
  types: [PayloadType.CERTREQ],
  decode(r, type, critical) {
    const encoding = r.u8('Cert Encoding');
    return { type, critical, encoding, authority: r.rest() };
  },
  encode(w, p) {
    w.u8(p.encoding, 'Cert Encoding');
    w.bytes(p.authority);
  },
};

/** The SHA-1 key hashes in an X.509 CERTREQ; a trailing partial hash is dropped. */
export function certReqAuthorities(p: CertReqPayload): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 20 <= p.authority.length; i += 20) out.push(p.authority.subarray(i, i + 20));
  return out;
}
