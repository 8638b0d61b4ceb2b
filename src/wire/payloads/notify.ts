// RFC 7296 §3.10: Notify payload (N, type 41).
//
//   | Protocol ID | SPI Size | Notify Message Type (2) |
//   | Security Parameter Index (SPI Size octets) ...  |
//   | Notification Data ...                           |
//
// Protocol ID is 0 (or 1) with an empty SPI for IKE SA notifies, 2/3 with
// a 4-octet SPI for notifies about an AH/ESP CHILD SA (e.g. REKEY_SA).

import { PayloadType } from '../iana/payload-types.js';
import { type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface NotifyPayload extends PayloadBase<typeof PayloadType.N> {
  protocolId: number;
  spi: Uint8Array;
  /** Notify Message Type (see iana/notify-types.ts). */
  notifyType: number;
  data: Uint8Array;
}

export const notifyCodec: PayloadCodec<NotifyPayload> = {
  name: 'N',
  rfc: 'RFC 7296 §3.10',
  types: [PayloadType.N],
  decode(r, type, critical) {
    const protocolId = r.u8('Protocol ID');
    const spiSize = r.u8('SPI Size');
    const notifyType = r.u16('Notify Message Type');
    const spi = r.bytes(spiSize, 'SPI');
    return { type, critical, protocolId, spi, notifyType, data: r.rest() };
  },
  encode(w, p) {
    w.u8(p.protocolId, 'Protocol ID');
    w.u8(p.spi.length, 'SPI Size');
    w.u16(p.notifyType, 'Notify Message Type');
    w.bytes(p.spi);
    w.bytes(p.data);
  },
};
