// RFC 7296 §3: an IKE message is the header followed by a payload chain.
// decodeMessage never throws; encodeMessage computes every length and
// Next Payload field, and re-encoding a decoded message gives back the
// received bytes (reserved bits included).

import { DecodeErrorCode, toDecodeError, WireError, type DecodeResult } from './errors.js';
import { IKE_HEADER_LENGTH, IKE_MAJOR_VERSION, readHeader, writeHeader, type IkeHeader } from './header.js';
import { NotifyType } from './iana/notify-types.js';
import { PayloadType } from './iana/payload-types.js';
import { readChain, writeChain } from './payload-chain.js';
import type { Payload } from './payload.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';

export interface IkeMessage {
  header: IkeHeader;
  payloads: Payload[];
  /**
   * Set by decodeMessage when the chain ends with SK or SKF: the offset of
   * the IV, i.e. the length of the AEAD associated data (RFC 5282 §5.1,
   * RFC 7383 §2.5).
   */
  skBodyOffset?: number;
}

/**
 * Parses and checks only the IKE header: cheap enough to run before any
 * SPI lookup. Checks length and major version like decodeMessage does.
 */
export function decodeHeader(bytes: Uint8Array): DecodeResult<IkeHeader> {
  try {
    return { ok: true, value: checkedHeader(bytes) };
  } catch (e) {
    return { ok: false, error: toDecodeError(e, 'header', lastHeader(bytes)) };
  }
}

export function decodeMessage(bytes: Uint8Array): DecodeResult<IkeMessage> {
  let header: IkeHeader | undefined;
  try {
    header = checkedHeader(bytes);
    const chain = readChain(bytes, IKE_HEADER_LENGTH, header.length, header.nextPayload, '');
    const msg: IkeMessage = { header, payloads: chain.payloads };
    if (chain.skBodyOffset !== undefined) msg.skBodyOffset = chain.skBodyOffset;
    return { ok: true, value: msg };
  } catch (e) {
    return { ok: false, error: toDecodeError(e, 'header', header ?? lastHeader(bytes)) };
  }
}

function checkedHeader(bytes: Uint8Array): IkeHeader {
  if (bytes.length < IKE_HEADER_LENGTH) {
    throw new WireError(DecodeErrorCode.TRUNCATED, `IKE header needs 28 bytes, got ${bytes.length}`, bytes.length, 'header');
  }
  const header = readHeader(new ByteReader(bytes, 0, IKE_HEADER_LENGTH, null, 'header'));
  if (header.majorVersion !== IKE_MAJOR_VERSION) {
    // RFC 7296 §1.5: a higher major version is answered with
    // INVALID_MAJOR_VERSION; IKEv1 (and lower) is dropped without answer.
    throw new WireError(
      DecodeErrorCode.INVALID_MAJOR_VERSION,
      `major version ${header.majorVersion} is not 2`,
      17,
      'header/version',
      header.majorVersion > IKE_MAJOR_VERSION ? NotifyType.INVALID_MAJOR_VERSION : null,
    );
  }
  if (header.length < IKE_HEADER_LENGTH) {
    throw new WireError(DecodeErrorCode.INVALID_LENGTH, `Length ${header.length} is below 28`, 24, 'header/length');
  }
  if (header.length > bytes.length) {
    throw new WireError(
      DecodeErrorCode.TRUNCATED,
      `Length says ${header.length} bytes, got ${bytes.length}`,
      bytes.length,
      'header/length',
    );
  }
  if (header.length < bytes.length) {
    throw new WireError(
      DecodeErrorCode.TRAILING_DATA,
      `${bytes.length - header.length} byte(s) after the Length of ${header.length}`,
      header.length,
      'header/length',
    );
  }
  return header;
}

/** The header of a message whose later checks failed, so the error can still be answered. */
function lastHeader(bytes: Uint8Array): IkeHeader | undefined {
  if (bytes.length < IKE_HEADER_LENGTH) return undefined;
  return readHeader(new ByteReader(bytes, 0, IKE_HEADER_LENGTH, null, 'header'));
}

export interface EncodedMessage {
  bytes: Buffer;
  /** Offset of the SK/SKF body (the IV) when the last payload is SK or SKF. */
  skBodyOffset?: number;
}

/**
 * Encodes a message, computing the header's Next Payload and Length and
 * every payload length. Also returns where the SK/SKF body starts so the
 * crypto layer can take the associated data (bytes before it) and fill in
 * the body in place.
 */
export function encodeMessageWithLayout(msg: IkeMessage): EncodedMessage {
  const w = new ByteWriter();
  writeHeader(w, msg.header, msg.payloads[0]?.type ?? PayloadType.NONE);
  writeChain(w, msg.payloads);
  w.patchU32(24, w.pos, 'Length');
  const bytes = w.finish();
  const last = msg.payloads[msg.payloads.length - 1];
  // The SK/SKF body is the last thing in the message, so it starts body.length from the end.
  if (last !== undefined && !('raw' in last) && (last.type === PayloadType.SK || last.type === PayloadType.SKF)) {
    return { bytes, skBodyOffset: bytes.length - last.body.length };
  }
  return { bytes };
}

export function encodeMessage(msg: IkeMessage): Buffer {
  return encodeMessageWithLayout(msg).bytes;
}
