// Turning payload lists into datagrams and back. Encryption and the SK
// layout are src/crypto/sk-message.ts; this file adds the header fields
// from the SA's point of view and the exchange's payload rules.

import { openMessage as openSk, sealMessage } from '../crypto/sk-message.js';
import type { SkCipher } from '../crypto/sk/sk-cipher.js';
import type { DecodeError } from '../wire/errors.js';
import { checkExchangeRules } from '../wire/exchange-rules.js';
import { IKE_MAJOR_VERSION, type IkeHeader } from '../wire/header.js';
import { exchangeTypeName } from '../wire/iana/exchange-types.js';
import { PayloadType } from '../wire/iana/payload-types.js';
import { decodeMessage, encodeMessage, encodeMessageWithLayout, type IkeMessage } from '../wire/message.js';
import { encodePayloadChain } from '../wire/payload-chain.js';
import { findPayload, type Payload } from '../wire/payload.js';
import type { SendRequest } from './effects.js';
import type { IkeSaData } from './ike-sa-data.js';

export interface HeaderFields {
  spiI: Uint8Array;
  spiR: Uint8Array;
  exchangeType: number;
  messageId: number;
  /** We are the original initiator of the IKE SA (I flag). */
  initiator: boolean;
  response: boolean;
}

export function header(h: HeaderFields): IkeHeader {
  return {
    spiI: Buffer.from(h.spiI),
    spiR: Buffer.from(h.spiR),
    nextPayload: 0,
    majorVersion: IKE_MAJOR_VERSION,
    minorVersion: 0,
    exchangeType: h.exchangeType,
    flags: { initiator: h.initiator, response: h.response, version: false },
    messageId: h.messageId,
    length: 0,
  };
}

/** An unencrypted message (IKE_SA_INIT, or errors before keys exist). */
export function encodePlain(h: HeaderFields, payloads: Payload[]): Buffer {
  return encodeMessage({ header: header(h), payloads });
}

/** Our next request under the IKE SA's keys (its message ID taken from the window), as the effect that sends it. */
export function protectedRequest(sa: IkeSaData, exchangeType: number, inner: Payload[]): SendRequest {
  const messageId = sa.requests.allocate();
  const bytes = encodeProtected({ spiI: sa.spiI, spiR: sa.spiR, exchangeType, messageId, initiator: sa.initiator, response: false }, inner, sa.skOut!);
  return { kind: 'send-request', exchange: exchangeTypeName(exchangeType), messageId, datagrams: [bytes] };
}

/** Our answer to the peer's request `messageId`, under the IKE SA's keys. */
export function protectedResponse(sa: IkeSaData, exchangeType: number, messageId: number, inner: Payload[]): Buffer {
  return encodeProtected({ spiI: sa.spiI, spiR: sa.spiR, exchangeType, messageId, initiator: sa.initiator, response: true }, inner, sa.skOut!);
}

/** A message whose payloads all travel inside SK. */
export function encodeProtected(h: HeaderFields, inner: Payload[], cipher: SkCipher): Buffer {
  return sealMessage(header(h), inner, cipher);
}

/**
 * Largest IKE message we send whole to a peer that supports fragmentation:
 * 1280 (the IPv6 minimum MTU) less IPv6 and UDP headers and the 4500 marker.
 */
export const FRAGMENT_THRESHOLD = 1280 - 40 - 8 - 4;

/**
 * A protected message as datagrams: one, or RFC 7383 fragments when the
 * peer announced IKEV2_FRAGMENTATION_SUPPORTED and one would be too large.
 */
export function encodeProtectedDatagrams(h: HeaderFields, inner: Payload[], cipher: SkCipher, fragmentation: boolean): Buffer[] {
  const whole = encodeProtected(h, inner, cipher);
  if (!fragmentation || whole.length <= FRAGMENT_THRESHOLD) return [whole];
  return sealFragments(h, inner, cipher, FRAGMENT_THRESHOLD);
}

const SKF_HEADER = 8; // generic payload header + Fragment Number + Total Fragments

/** RFC 7383 §2.5: the inner chain cut into pieces, each sealed in its own SKF message. */
export function sealFragments(h: HeaderFields, inner: Payload[], cipher: SkCipher, maxMessage: number): Buffer[] {
  const chain = encodePayloadChain(inner);
  let chunk = maxMessage - 28 - SKF_HEADER;
  while (chunk > 1 && 28 + SKF_HEADER + cipher.bodyLength(chunk) > maxMessage) chunk--;
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < chain.bytes.length; at += chunk) pieces.push(chain.bytes.subarray(at, at + chunk));
  return pieces.map((piece, i) => {
    const laid = encodeMessageWithLayout({
      header: header(h),
      payloads: [
        {
          type: PayloadType.SKF,
          critical: false,
          nextPayload: i === 0 ? chain.firstType : 0,
          fragmentNumber: i + 1,
          totalFragments: pieces.length,
          body: new Uint8Array(cipher.bodyLength(piece.length)),
        },
      ],
    });
    const offset = laid.skBodyOffset!;
    cipher.seal(laid.bytes.subarray(0, offset), piece).copy(laid.bytes, offset);
    return laid.bytes;
  });
}

export interface OpenFailure {
  ok: false;
  reason: 'malformed' | 'bad-icv' | 'not-encrypted' | 'rule-violation';
  detail: string;
  /** The error notify RFC 7296 prescribes for this failure, and its data. */
  notify?: number;
  notifyData?: Uint8Array;
  /** The message's ICV checked out: the failure is in what the peer sent inside SK. */
  authenticated?: boolean;
}

export type Opened = { ok: true; message: IkeMessage; payloads: Payload[] } | OpenFailure;

/** Decodes a datagram; if it carries SK, checks integrity and decodes the inner chain. */
export function openMessage(bytes: Uint8Array, cipher: SkCipher | undefined): Opened {
  const decoded = decodeMessage(bytes);
  if (!decoded.ok) {
    return withNotify({ ok: false, reason: 'malformed', detail: `${decoded.error.path}: ${decoded.error.message}` }, decoded.error);
  }
  const message = decoded.value;
  if (!findPayload(message.payloads, PayloadType.SK)) return checked(message, message.payloads);
  if (!cipher) return { ok: false, reason: 'not-encrypted', detail: 'SK payload but no keys for this IKE SA yet' };
  const opened = openSk(bytes, cipher);
  if (!opened.ok) {
    const reason = opened.error.code === 'CRYPTO_INTEGRITY_FAILED' ? 'bad-icv' : 'malformed';
    const r: OpenFailure = { ok: false, reason, detail: opened.error.message };
    // The outer message decoded above, so a decode error here is in the decrypted chain.
    if (opened.error.code === 'CRYPTO_WIRE_DECODE') r.authenticated = true;
    return opened.error.decodeError ? withNotify(r, opened.error.decodeError) : r;
  }
  return checked(message, opened.value.payloads);
}

/** The exchange's payload rules (RFC 7296 §1.2-§1.4) on the decoded message. */
function checked(message: IkeMessage, payloads: Payload[]): Opened {
  const h = message.header;
  const encrypted = payloads !== message.payloads;
  const violations = checkExchangeRules(h.exchangeType, h.flags.response, message.payloads, encrypted ? payloads : undefined);
  if (violations.length > 0) {
    const r: OpenFailure = { ok: false, reason: 'rule-violation', detail: violations.map((v) => v.message).join('; '), notify: violations[0]!.notify! };
    if (encrypted) r.authenticated = true;
    return r;
  }
  return { ok: true, message, payloads };
}

function withNotify(r: OpenFailure, error: DecodeError): OpenFailure {
  if (error.notify !== undefined) r.notify = error.notify;
  if (error.notifyData !== undefined) r.notifyData = error.notifyData;
  return r;
}
