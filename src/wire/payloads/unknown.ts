// RFC 7296 §2.5 / §3.2: a payload type we do not implement. With the
// critical bit clear it is skipped and kept verbatim (so it re-encodes);
// with the bit set the whole message is rejected with
// UNSUPPORTED_CRITICAL_PAYLOAD (payload-chain.ts).

import type { PayloadCommon } from './payload-codec.js';

export interface UnknownPayload extends PayloadCommon {
  type: number;
  /** The payload body, without the generic header. */
  raw: Uint8Array;
}
