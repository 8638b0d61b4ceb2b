// What every payload file provides: its RFC section, the payload type(s) it
// handles, and a decoder/encoder pair for the payload body (the bytes after
// the 4-octet generic payload header, RFC 7296 §3.2). The generic header
// itself (next payload, critical bit, length) belongs to payload-chain.ts.

import type { ByteReader } from '../reader.js';
import type { ByteWriter } from '../writer.js';

/** Fields of the generic payload header that a decoded payload keeps. */
export interface PayloadCommon {
  /** The C bit (RFC 7296 §3.2). */
  critical: boolean;
  /**
   * The 7 RESERVED bits after the C bit, only when non-zero. RFC 7296 says
   * send zero, ignore on receipt; kept so re-encoding gives the same bytes.
   */
  headerReserved?: number;
}

export interface PayloadBase<T extends number> extends PayloadCommon {
  type: T;
}

export interface PayloadCodec<P extends { type: number }> {
  /** RFC 7296 notation, used in error paths: "SA", "IDi", "N". */
  readonly name: string;
  readonly rfc: string;
  readonly types: readonly P['type'][];
  /**
   * Decodes the body; `r` spans exactly the payload body. The chain adds
   * `headerReserved` afterwards when those bits are set.
   */
  decode(r: ByteReader, type: P['type'], critical: boolean): P;
  encode(w: ByteWriter, p: P): void;
}

/** Reserved fields are kept only when a peer set them, so built payloads need not mention them. */
export function keepReserved<T extends object>(obj: T, value: number): T & { reserved?: number } {
  const o = obj as T & { reserved?: number };
  if (value !== 0) o.reserved = value;
  return o;
}
