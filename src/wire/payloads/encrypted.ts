// RFC 7296 §3.14: Encrypted and Authenticated payload (SK, type 46).
//
//   | Initialization Vector | Encrypted IKE Payloads | Padding | Pad Length | ICV |
//
// The codec treats the body as opaque: src/crypto splits IV, ciphertext and
// ICV because their sizes depend on the negotiated transforms. The generic
// header's Next Payload names the FIRST INNER payload, so the SK payload is
// always the last one of the outer chain. For AEAD ciphers (RFC 5282 §5.1)
// the associated data is the message up to the start of this body:
// IkeMessage.skBodyOffset records where that is.

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface SkPayload extends PayloadBase<typeof PayloadType.SK> {
  /** Type of the first payload inside the encrypted data. */
  nextPayload: number;
  /** IV | ciphertext | ICV, opaque to the codec. */
  body: Uint8Array;
}

/** Body decode/encode; the chain supplies nextPayload from the generic header. */
export const skCodec: PayloadCodec<SkPayload> = {
  name: 'SK',
  rfc: 'RFC 7296 §3.14',
  types: [PayloadType.SK],
  decode(r, type, critical) {
    return { type, critical, nextPayload: 0, body: r.rest() };
  },
  encode(w, p) {
    w.bytes(p.body);
  },
};
