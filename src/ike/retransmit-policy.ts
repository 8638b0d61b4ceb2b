// Retransmission schedule for our own requests (RFC 7296 §2.1: the
// initiator retransmits, the responder never does). Exponential back-off:
// try n (0-based) waits timeout * base^n; after `tries` retransmissions and
// the last wait, the request and with it the IKE SA is given up. Defaults
// match the usual IKEv2 daemons (4 s, 1.8, 5 tries: about 165 s in all).

export interface RetransmitPolicy {
  timeoutMs: number;
  base: number;
  tries: number;
  /** Upper bound for a single wait. */
  maxWaitMs?: number;
}

export const defaultRetransmitPolicy: RetransmitPolicy = { timeoutMs: 4000, base: 1.8, tries: 5 };

/** How long to wait after send number `attempt` (0 = the first send). */
export function retransmitWait(policy: RetransmitPolicy, attempt: number): number {
  const wait = Math.round(policy.timeoutMs * policy.base ** attempt);
  return policy.maxWaitMs === undefined ? wait : Math.min(wait, policy.maxWaitMs);
}

/** Total time from the first send until the request is given up. */
export function retransmitBudget(policy: RetransmitPolicy): number {
  let total = 0;
  for (let attempt = 0; attempt <= policy.tries; attempt++) total += retransmitWait(policy, attempt);
  return total;
}
