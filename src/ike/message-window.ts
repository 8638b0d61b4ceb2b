// Message IDs and the retransmit cache (RFC 7296 §2.1, §2.2), window size 1.
//
// Each IKE SA has two independent sequences: the requests we send
// (RequestWindow) and the requests the peer sends us (ResponseWindow).
// The responder side answers a retransmitted request from its cache, by
// comparing the raw bytes, before any decryption or other crypto happens.
// Only a 64-bit fingerprint of the last request is kept, not its bytes: the
// window lives as long as the IKE SA, and a retransmit is byte-identical.

import { retransmitWait, type RetransmitPolicy } from './retransmit-policy.js';

export interface OutstandingRequest {
  messageId: number;
  datagrams: Uint8Array[];
  /** How many times the request has been sent so far. */
  sends: number;
  /** Free-form label for logs ("IKE_AUTH", "INFORMATIONAL"). */
  exchange: string;
}

export type RetransmitStep =
  | { action: 'resend'; datagrams: Uint8Array[]; waitMs: number; sends: number }
  | { action: 'give-up'; request: OutstandingRequest }
  | { action: 'none' };

/** Our requests: next ID to use, the one in flight, and its back-off. */
export class RequestWindow {
  private next = 0;
  private inFlight?: OutstandingRequest;
  constructor(private readonly policy: RetransmitPolicy) {}

  get nextMessageId(): number {
    return this.next;
  }
  get outstanding(): OutstandingRequest | undefined {
    return this.inFlight;
  }
  get busy(): boolean {
    return this.inFlight !== undefined;
  }
  /** Reserve the next message ID for a request about to be built. */
  allocate(): number {
    if (this.inFlight) throw new Error(`request ${this.inFlight.messageId} still in flight (window size 1)`);
    return this.next;
  }
  /** Record the sent request; returns how long to wait before the first retransmit. */
  sent(messageId: number, datagrams: Uint8Array[], exchange: string): number {
    this.inFlight = { messageId, datagrams, sends: 1, exchange };
    this.next = messageId + 1;
    return retransmitWait(this.policy, 0);
  }
  /**
   * Replace the in-flight request's bytes without moving the ID: used when
   * IKE_SA_INIT is restarted after COOKIE or INVALID_KE_PAYLOAD (both keep
   * message ID 0) .
   */
  resetForRetry(): void {
    this.inFlight = undefined;
    this.next = 0;
  }
  /** Does this response answer our outstanding request? */
  matches(messageId: number): boolean {
    return this.inFlight !== undefined && this.inFlight.messageId === messageId;
  }
  /** The response arrived: the slot is free again. */
  complete(): void {
    this.inFlight = undefined;
  }
  /** The retransmit timer fired. */
  onTimeout(): RetransmitStep {
    const request = this.inFlight;
    if (!request) return { action: 'none' };
    if (request.sends > this.policy.tries) {
      this.inFlight = undefined;
      return { action: 'give-up', request };
    }
    const waitMs = retransmitWait(this.policy, request.sends);
    request.sends++;
    return { action: 'resend', datagrams: request.datagrams, waitMs, sends: request.sends };
  }
}

export type RequestVerdict =
  | { kind: 'new' }
  /** The same request again: resend these cached datagrams, nothing else. */
  | { kind: 'retransmit'; datagrams: Uint8Array[] }
  /** Retransmit of a request we are still working on: drop silently. */
  | { kind: 'in-progress' }
  /** An old ID, or a different message under the last ID, or out of window. */
  | { kind: 'invalid'; reason: string };

/** The peer's requests: which ID we expect, and our cached last response. */
export class ResponseWindow {
  private expected = 0;
  private last?: { messageId: number; length: number; hash1: number; hash2: number; response?: Uint8Array[] };

  get expectedMessageId(): number {
    return this.expected;
  }

  /** Decide what to do with a request, from its header ID and raw bytes only. */
  classify(messageId: number, raw: Uint8Array): RequestVerdict {
    if (messageId === this.expected) return { kind: 'new' };
    const last = this.last;
    if (last && messageId === last.messageId) {
      if (!sameFingerprint(last, raw)) return { kind: 'invalid', reason: `different message under answered ID ${messageId}` };
      return last.response ? { kind: 'retransmit', datagrams: last.response } : { kind: 'in-progress' };
    }
    return { kind: 'invalid', reason: `message ID ${messageId}, expected ${this.expected}` };
  }
  /** Our cached response to request `messageId`, if it is the last one answered. */
  lastResponse(messageId: number): Uint8Array[] | undefined {
    return this.last?.messageId === messageId ? this.last.response : undefined;
  }
  /** The request passed integrity checks and is being processed. */
  accept(messageId: number, raw: Uint8Array): void {
    const [hash1, hash2] = fingerprint(raw);
    this.last = { messageId, length: raw.length, hash1, hash2 };
    this.expected = messageId + 1;
  }
  /** Our response went out; later retransmits of the request get these bytes. */
  remember(messageId: number, datagrams: Uint8Array[]): void {
    // Copied into buffers of their own: the encoder's output is a slice of
    // Node's shared pool, and a cached slice would pin a whole slab.
    if (this.last?.messageId === messageId) this.last.response = datagrams.map(ownCopy);
  }
}

/** A copy with its own ArrayBuffer (Uint8Array copies are never pooled). */
function ownCopy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/**
 * Two independent 32-bit hashes (FNV-1a and a multiplicative one) over the
 * whole message. A retransmit is byte-identical; a different message under
 * the same ID is told apart unless both hashes and the length collide.
 */
function fingerprint(bytes: Uint8Array): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = bytes.length ^ 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ (b + i), 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  return [h1 >>> 0, h2 >>> 0];
}

function sameFingerprint(last: { length: number; hash1: number; hash2: number }, raw: Uint8Array): boolean {
  if (last.length !== raw.length) return false;
  const [hash1, hash2] = fingerprint(raw);
  return hash1 === last.hash1 && hash2 === last.hash2;
}
