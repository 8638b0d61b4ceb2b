// RFC 7296 §3.11: Delete payload (D, type 42).
//
//   | Protocol ID | SPI Size | Num of SPIs (2) |
//   | Security Parameter Index(es) ...        |
//
// Deleting the IKE SA: Protocol ID 1, SPI Size 0, no SPIs. Deleting CHILD
// SAs: Protocol ID 2/3, SPI Size 4, the SPIs the sender expects inbound.

import { DecodeErrorCode } from '../errors.js';
import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface DeletePayload extends PayloadBase<typeof PayloadType.D> {
  protocolId: number;
  /** Kept separately because it is meaningful with zero SPIs. */
  spiSize: number;
  spis: Uint8Array[];
}

export const deleteCodec: PayloadCodec<DeletePayload> = {
  name: 'D',
  rfc: 'RFC 7296 §3.11',
  types: [PayloadType.D],
  decode(r, type, critical) {
    const protocolId = r.u8('Protocol ID');
    const spiSize = r.u8('SPI Size');
    const countAt = r.pos;
    const count = r.u16('Num of SPIs');
    if (count * spiSize !== r.remaining) {
      r.fail(
        DecodeErrorCode.COUNT_MISMATCH,
        `Num of SPIs ${count} x SPI Size ${spiSize} != ${r.remaining} byte(s) of SPIs`,
        countAt,
      );
    }
    // Zero-size SPIs cannot be counted: without this check a 12-octet
    // payload could make us allocate 65535 empty SPIs.
    if (spiSize === 0 && count !== 0) {
      r.fail(DecodeErrorCode.COUNT_MISMATCH, `Num of SPIs ${count} with SPI Size 0`, countAt);
    }
    const spis: Uint8Array[] = [];
    for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize, 'SPI'));
    return { type, critical, protocolId, spiSize, spis };
  },
  encode(w, p) {
    w.u8(p.protocolId, 'Protocol ID');
    w.u8(p.spiSize, 'SPI Size');
    w.u16(p.spis.length, 'Num of SPIs');
    for (const spi of p.spis) w.bytes(spi, 'SPI', p.spiSize);
  },
};
