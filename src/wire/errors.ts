// Decode errors of the wire codec. Every decode entry point returns a
// DecodeResult and never throws: a datagram from the Internet is data, not a
// reason to unwind the daemon. Inside the codec a WireError is thrown and
// caught once at the public boundary (index of entry points: message.ts,
// payload-chain.ts).

import type { IkeHeader } from './header.js';
import { NotifyType } from './iana/notify-types.js';

/** Stable codes; logs, counters and tests key on these strings. */
export const DecodeErrorCode = {
  /** The data ends before a field or a structure it announces. */
  TRUNCATED: 'TRUNCATED',
  /** A length field is impossible (smaller than its own header, wrong for its type). */
  INVALID_LENGTH: 'INVALID_LENGTH',
  /** Bytes left over after a structure that must fill its container exactly. */
  TRAILING_DATA: 'TRAILING_DATA',
  /** A count field disagrees with the structures present. */
  COUNT_MISMATCH: 'COUNT_MISMATCH',
  /** A field holds a value the RFC forbids (e.g. a wrong "last substructure" marker). */
  INVALID_VALUE: 'INVALID_VALUE',
  /** Major version other than 2 (RFC 7296 §1.5, §3.1). */
  INVALID_MAJOR_VERSION: 'INVALID_MAJOR_VERSION',
  /** Unknown payload type with the critical bit set (RFC 7296 §2.5, §3.2). */
  UNSUPPORTED_CRITICAL_PAYLOAD: 'UNSUPPORTED_CRITICAL_PAYLOAD',
  /** A bug in the codec surfaced as an exception; never expected, the fuzzer hunts these. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /** Byte offset into the decoded buffer (see docs/architecture.md for which byte). */
  offset: number;
  /** Where in the structure, e.g. "SA/proposal[1]/transform[2]" or "SK/TSi/selector[1]". */
  path: string;
  /** Notify type to answer with where RFC 7296 prescribes one. */
  notify?: number;
  /** Notification data to send with `notify` (UNSUPPORTED_CRITICAL_PAYLOAD carries the payload type). */
  notifyData?: Uint8Array;
  /** The IKE header when it could be parsed, so a responder can address its answer. */
  header?: IkeHeader;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/**
 * Thrown inside the codec only. Deliberately not an Error subclass: the
 * fuzzer feeds millions of malformed inputs, and capturing a stack trace for
 * each would dominate the decode time.
 */
export class WireError {
  constructor(
    readonly code: DecodeErrorCode,
    readonly message: string,
    readonly offset: number,
    readonly path: string,
    /** null: the RFC prescribes no answer (the message is dropped). */
    readonly notify: number | null = NotifyType.INVALID_SYNTAX,
    readonly notifyData?: Uint8Array,
  ) {}

  toDecodeError(header?: IkeHeader): DecodeError {
    const e: DecodeError = { code: this.code, message: this.message, offset: this.offset, path: this.path };
    if (this.notify !== null) e.notify = this.notify;
    if (this.notifyData !== undefined) e.notifyData = this.notifyData;
    if (header !== undefined) e.header = header;
    return e;
  }
}

/** Converts whatever a decoder threw into a DecodeError; non-WireErrors are codec bugs. */
export function toDecodeError(thrown: unknown, path: string, header?: IkeHeader): DecodeError {
  if (thrown instanceof WireError) return thrown.toDecodeError(header);
  const detail = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  const e: DecodeError = {
    code: DecodeErrorCode.INTERNAL_ERROR,
    message: `codec bug: ${detail}`,
    offset: 0,
    path,
    notify: NotifyType.INVALID_SYNTAX,
  };
  if (header !== undefined) e.header = header;
  return e;
}
