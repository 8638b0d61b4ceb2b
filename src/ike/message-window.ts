// Message IDs and the retransmit cache (RFC 7296 §2.1, §2.2), window size 1.
//
// Each IKE SA has two independent sequences: the requests we send
// (RequestWindow) and the requests the peer sends us (ResponseWindow).
// The responder side answers a retransmitted request from its cache, by
// comparing the raw bytes, before any decryption or other crypto happens.

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
  private last?: { messageId: number; request: Uint8Array; response?: Uint8Array[] };

  get expectedMessageId(): number {
    return this.expected;
  }

  /** Decide what to do with a request, from its header ID and raw bytes only. */
  classify(messageId: number, raw: Uint8Array): RequestVerdict {
    if (messageId === this.expected) return { kind: 'new' };
    const last = this.last;
    if (last && messageId === last.messageId) {
      if (!sameBytes(last.request, raw)) return { kind: 'invalid', reason: `different message under answered ID ${messageId}` };
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
    this.last = { messageId, request: raw };
    this.expected = messageId + 1;
  }
  /** Our response went out; later retransmits of the request get these bytes. */
  remember(messageId: number, datagrams: Uint8Array[]): void {
    if (this.last?.messageId === messageId) this.last.response = datagrams;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
