// RFC 7296 §3.1: the IKE header, 28 octets in front of every message.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       IKE SA Initiator's SPI                  |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       IKE SA Responder's SPI                  |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Message ID                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            Length                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Flags: X X R V I X X X (from the most significant bit): R = Response,
// V = Version (higher major version supported), I = Initiator. The X bits
// MUST be sent as zero and ignored on receipt; we keep them in
// `reservedFlags` so a decoded message re-encodes to the same bytes.

import type { ByteReader } from './reader.js';
import type { ByteWriter } from './writer.js';

export const IKE_HEADER_LENGTH = 28;
export const IKE_MAJOR_VERSION = 2;

const FLAG_INITIATOR = 0x08;
const FLAG_VERSION = 0x10;
const FLAG_RESPONSE = 0x20;
const FLAGS_RESERVED = 0xff & ~(FLAG_INITIATOR | FLAG_VERSION | FLAG_RESPONSE);

export interface IkeHeaderFlags {
  initiator: boolean;
  response: boolean;
  version: boolean;
}

export interface IkeHeader {
  /** IKE SA Initiator's SPI, 8 octets. */
  spiI: Buffer;
  /** IKE SA Responder's SPI, 8 octets (zero in the first IKE_SA_INIT request). */
  spiR: Buffer;
  /** Type of the first payload; encodeMessage computes it from the payload list. */
  nextPayload: number;
  majorVersion: number;
  minorVersion: number;
  exchangeType: number;
  flags: IkeHeaderFlags;
  /** The X bits of the flags octet, only when non-zero (received from a sloppy peer). */
  reservedFlags?: number;
  messageId: number;
  /** Total message length; encodeMessage computes it. */
  length: number;
}

/** Reads the 28 header octets; the caller checks that they are present. */
export function readHeader(r: ByteReader): IkeHeader {
  const spiI = r.bytes(8, 'IKE SA Initiator SPI');
  const spiR = r.bytes(8, 'IKE SA Responder SPI');
  const nextPayload = r.u8('Next Payload');
  const version = r.u8('Version');
  const exchangeType = r.u8('Exchange Type');
  const flagsOctet = r.u8('Flags');
  const messageId = r.u32('Message ID');
  const length = r.u32('Length');
  const header: IkeHeader = {
    spiI,
    spiR,
    nextPayload,
    majorVersion: version >>> 4,
    minorVersion: version & 0x0f,
    exchangeType,
    flags: {
      initiator: (flagsOctet & FLAG_INITIATOR) !== 0,
      response: (flagsOctet & FLAG_RESPONSE) !== 0,
      version: (flagsOctet & FLAG_VERSION) !== 0,
    },
    messageId,
    length,
  };
  if (flagsOctet & FLAGS_RESERVED) header.reservedFlags = flagsOctet & FLAGS_RESERVED;
  return header;
}

/** Writes the header with the given first payload type and a length to patch later. */
export function writeHeader(w: ByteWriter, h: IkeHeader, nextPayload: number): void {
  w.bytes(h.spiI, 'IKE SA Initiator SPI', 8);
  w.bytes(h.spiR, 'IKE SA Responder SPI', 8);
  w.u8(nextPayload, 'Next Payload');
  w.u8(((h.majorVersion & 0x0f) << 4) | (h.minorVersion & 0x0f), 'Version');
  w.u8(h.exchangeType, 'Exchange Type');
  let flags = (h.reservedFlags ?? 0) & FLAGS_RESERVED;
  if (h.flags.initiator) flags |= FLAG_INITIATOR;
  if (h.flags.version) flags |= FLAG_VERSION;
  if (h.flags.response) flags |= FLAG_RESPONSE;
  w.u8(flags, 'Flags');
  w.u32(h.messageId, 'Message ID');
  w.u32(0, 'Length');
}
