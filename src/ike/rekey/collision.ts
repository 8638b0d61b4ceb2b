// Simultaneous rekeys of one CHILD SA (RFC 7296 §2.8.1). Both exchanges
// complete; of the two new SAs, the one created by the exchange that
// carried the lowest of the four nonces is redundant and is deleted by
// the peer that initiated that exchange. The other initiator deletes the
// old SA. Both peers compute the same answer from the same four nonces.

/** Byte-wise order of two nonces (a shorter prefix sorts first). */
function compareNonces(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface RekeyExchangeNonces {
  nonceI: Uint8Array;
  nonceR: Uint8Array;
}

/**
 * True when our exchange holds the lowest nonce, i.e. our new SA loses
 * and we must delete it (the peer then deletes the old one).
 */
export function ourRekeyLoses(ours: RekeyExchangeNonces, theirs: RekeyExchangeNonces): boolean {
  const lowest = (x: RekeyExchangeNonces) => (compareNonces(x.nonceI, x.nonceR) <= 0 ? x.nonceI : x.nonceR);
  return compareNonces(lowest(ours), lowest(theirs)) < 0;
}
