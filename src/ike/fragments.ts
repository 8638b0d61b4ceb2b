// Reassembly of fragmented messages (RFC 7383 §2.6). Each fragment is a
// full IKE message whose only payload is SKF; it is integrity-checked and
// decrypted on arrival (so forged fragments cannot fill the buffer), kept
// by number, and the inner payload chain is decoded once all have come.
// Limits keep a peer from making us hold unbounded data.

import type { SkCipher } from '../crypto/sk/sk-cipher.js';
import { PayloadType } from '../wire/iana/payload-types.js';
import { decodeMessage, type IkeMessage } from '../wire/message.js';
import { decodePayloadChain } from '../wire/payload-chain.js';
import { findPayload, type Payload } from '../wire/payload.js';

export const MAX_FRAGMENTS = 64;
export const MAX_REASSEMBLED = 64 * 1024;

export type FragmentResult =
  | { kind: 'pending'; fragmentNumber: number }
  | { kind: 'complete'; message: IkeMessage; payloads: Payload[]; first: Buffer }
  | { kind: 'drop'; reason: string; detail: string };

export class Reassembly {
  private total = 0;
  private size = 0;
  private firstType = 0;
  private first?: Buffer;
  private firstMessage?: IkeMessage;
  private readonly parts = new Map<number, Buffer>();

  constructor(readonly messageId: number) {}

  add(bytes: Buffer, cipher: SkCipher): FragmentResult {
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) return { kind: 'drop', reason: 'malformed', detail: decoded.error.message };
    const message = decoded.value;
    const skf = findPayload(message.payloads, PayloadType.SKF);
    if (!skf || message.skBodyOffset === undefined) return { kind: 'drop', reason: 'malformed', detail: 'no SKF payload' };
    const { fragmentNumber: n, totalFragments: total } = skf;
    if (total < 1 || total > MAX_FRAGMENTS || n < 1 || n > total) {
      return { kind: 'drop', reason: 'bad-fragment', detail: `fragment ${n} of ${total} (at most ${MAX_FRAGMENTS})` };
    }
    const opened = cipher.open(bytes.subarray(0, message.skBodyOffset), skf.body);
    if (!opened.ok) return { kind: 'drop', reason: opened.error.code === 'CRYPTO_INTEGRITY_FAILED' ? 'bad-icv' : 'malformed', detail: opened.error.message };
    if (total < this.total) return { kind: 'drop', reason: 'stale-fragment', detail: `fragment of an older ${total}-piece send` };
    if (total > this.total) {
      // The sender re-fragmented (smaller pieces): start over (§2.6).
      this.parts.clear();
      this.size = 0;
      this.total = total;
    }
    if (this.parts.has(n)) return { kind: 'pending', fragmentNumber: n };
    if (this.size + opened.value.length > MAX_REASSEMBLED) {
      return { kind: 'drop', reason: 'fragments-too-large', detail: `more than ${MAX_REASSEMBLED} octets reassembled` };
    }
    this.parts.set(n, opened.value);
    this.size += opened.value.length;
    if (n === 1) {
      this.firstType = skf.nextPayload;
      this.first = bytes;
      this.firstMessage = message;
    }
    if (this.parts.size < this.total) return { kind: 'pending', fragmentNumber: n };
    const plaintext = Buffer.concat([...Array(this.total).keys()].map((i) => this.parts.get(i + 1)!));
    const inner = decodePayloadChain(this.firstType, plaintext, 'SKF');
    if (!inner.ok) return { kind: 'drop', reason: 'malformed', detail: `${inner.error.path}: ${inner.error.message}` };
    return { kind: 'complete', message: this.firstMessage!, payloads: inner.value, first: this.first! };
  }
}
