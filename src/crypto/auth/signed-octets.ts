// The octets an AUTH payload covers (RFC 7296 §2.15):
//   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
//   ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR
//   MACedIDForI = prf(SK_pi, RestOfInitIDPayload)
//   MACedIDForR = prf(SK_pr, RestOfRespIDPayload)
// RealMessage is the whole IKE_SA_INIT message the signer sent (as sent,
// including any COOKIE or fragment-free form), the nonce is the PEER's nonce
// data, and RestOf...IDPayload is the ID payload without its 4-octet generic
// header (ID Type, 3 reserved octets, identification data).

import { prf } from '../prf.js';
import type { PrfAlgorithm } from '../registry/index.js';

export interface SignedOctetsInput {
  readonly prf: PrfAlgorithm;
  /** The signer's IKE_SA_INIT message bytes (request for the initiator, response for the responder). */
  readonly realMessage: Uint8Array;
  /** The other side's nonce data (Nr for the initiator's AUTH, Ni for the responder's). */
  readonly peerNonce: Uint8Array;
  /** SK_pi for the initiator's AUTH, SK_pr for the responder's. */
  readonly skP: Uint8Array;
  /** The signer's ID payload body (after the generic payload header). */
  readonly idPayloadBody: Uint8Array;
}

export function signedOctets(input: SignedOctetsInput): Buffer {
  const macedId = prf(input.prf, input.skP, input.idPayloadBody);
  const octets = Buffer.concat([input.realMessage, input.peerNonce, macedId]);
  macedId.fill(0);
  return octets;
}
