// Glue between the wire codec and SK protection: whole IKE messages in and
// out. The codec knows where the SK body starts (`skBodyOffset`); the
// associated data is everything before it (RFC 5282 §5.1, RFC 7296 §3.14).
//
//   sealMessage: encode inner chain -> size the SK body -> encode the outer
//     message with final lengths -> encrypt into the body in place.
//   openMessage: decode outer message -> check ICV and decrypt -> decode the
//     inner chain. Every failure is a typed error, never an exception.

import {
  decodeMessage,
  decodePayloadChain,
  encodeMessageWithLayout,
  encodePayloadChain,
  PayloadType,
  type DecodeError,
  type IkeHeader,
  type IkeMessage,
  type Payload,
  type SkPayload,
} from '../wire/index.js';
import { CryptoError, type CryptoErrorCode, type Result } from './errors.js';
import type { SkCipher } from './sk/sk-cipher.js';

/** An error of openMessage; `decodeError` is set when the codec rejected the outer or inner bytes. */
export class SkMessageError extends CryptoError {
  constructor(
    code: CryptoErrorCode,
    message: string,
    readonly decodeError?: DecodeError,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export interface OpenedMessage {
  /** The outer message as decoded (header, unencrypted payloads, the SK payload). */
  readonly message: IkeMessage;
  /** The decrypted inner payloads. */
  readonly payloads: Payload[];
}

/**
 * Builds a protected message. `header.length` and `header.nextPayload` are
 * computed; `unencrypted` are payloads that go before SK (none in RFC 7296
 * exchanges, kept for extensions).
 */
export function sealMessage(header: IkeHeader, innerPayloads: readonly Payload[], cipher: SkCipher, unencrypted: readonly Payload[] = []): Buffer {
  const inner = encodePayloadChain(innerPayloads);
  const sk: SkPayload = {
    type: PayloadType.SK,
    critical: false,
    nextPayload: inner.firstType,
    body: Buffer.alloc(cipher.bodyLength(inner.bytes.length)),
  };
  const { bytes, skBodyOffset } = encodeMessageWithLayout({ header, payloads: [...unencrypted, sk] });
  const offset = skBodyOffset!;
  cipher.seal(bytes.subarray(0, offset), inner.bytes).copy(bytes, offset);
  return bytes;
}

/** Decodes, authenticates and decrypts a message whose last payload is SK. */
export function openMessage(bytes: Uint8Array, cipher: SkCipher): Result<OpenedMessage, SkMessageError> {
  const decoded = decodeMessage(bytes);
  if (!decoded.ok)
    return { ok: false, error: new SkMessageError('CRYPTO_WIRE_DECODE', `message does not decode: ${decoded.error.message}`, decoded.error) };
  const message = decoded.value;
  const last = message.payloads[message.payloads.length - 1];
  if (!last || last.type !== PayloadType.SK || message.skBodyOffset === undefined || !('body' in last))
    return { ok: false, error: new SkMessageError('CRYPTO_SK_MALFORMED', 'message has no SK payload to open') };
  const sk = last as SkPayload;
  const offset = message.skBodyOffset;
  const opened = cipher.open(bytes.subarray(0, offset), sk.body);
  if (!opened.ok) return { ok: false, error: new SkMessageError(opened.error.code, opened.error.message, undefined, { cause: opened.error }) };
  const inner = decodePayloadChain(sk.nextPayload, opened.value, 'SK', offset + cipher.ivLength);
  if (!inner.ok)
    return { ok: false, error: new SkMessageError('CRYPTO_WIRE_DECODE', `decrypted payloads do not decode: ${inner.error.message}`, inner.error) };
  return { ok: true, value: { message, payloads: inner.value } };
}
