// RFC 7296 §3.5: Identification payloads (IDi type 35, IDr type 36).
//
//   | ID Type | RESERVED (3)         |
//   | Identification Data ...        |
//
// The AUTH computation (§2.15) signs "RestOfIDPayload", i.e. exactly the
// body encoded here: see encodeIdBody().

import { IdType } from '../iana/id-types.js';
import { PayloadType } from '../iana/payload-types.js';
import { ByteWriter } from '../writer.js';
import { keepReserved, type PayloadBase, type PayloadCodec } from './payload-codec.js';

export interface IdPayload extends PayloadBase<typeof PayloadType.IDi | typeof PayloadType.IDr> {
  /** ID Type (see iana/id-types.ts). */
  idType: number;
  /** ID_IPV4_ADDR: 4 octets; ID_IPV6_ADDR: 16; FQDN/RFC822: ASCII; DER_ASN1_DN: DER; KEY_ID: opaque. */
  data: Uint8Array;
  reserved?: number;
}

export const idCodec: PayloadCodec<IdPayload> = {
  name: 'ID',
  rfc: 'RFC 7296 §3.5',
  types: [PayloadType.IDi, PayloadType.IDr],
  decode(r, type, critical) {
    const idType = r.u8('ID Type');
    const reserved = r.u24('RESERVED');
    return keepReserved({ type, critical, idType, data: r.rest() }, reserved);
  },
  encode(w, p) {
    w.u8(p.idType, 'ID Type');
    w.u24(p.reserved ?? 0, 'RESERVED');
    w.bytes(p.data);
  },
};

/** The ID payload body ("RestOfInitIDPayload"/"RestOfRespIDPayload", RFC 7296 §2.15). */
export function encodeIdBody(p: Pick<IdPayload, 'idType' | 'data' | 'reserved'>): Buffer {
  const w = new ByteWriter(4 + p.data.length);
  w.u8(p.idType, 'ID Type');
  w.u24(p.reserved ?? 0, 'RESERVED');
  w.bytes(p.data);
  return w.finish();
}

/** Readable form of an identity for logs: `192.0.2.1`, `vpn.example.org`, `CN=...` as hex. */
export function formatIdData(idType: number, data: Uint8Array): string {
  switch (idType) {
    case IdType.ID_IPV4_ADDR:
      return data.length === 4 ? Array.from(data).join('.') : hex(data);
    case IdType.ID_IPV6_ADDR:
      return data.length === 16 ? formatIpv6(data) : hex(data);
    case IdType.ID_FQDN:
    case IdType.ID_RFC822_ADDR:
      return Buffer.from(data).toString('latin1');
    default:
      return hex(data);
  }
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** RFC 5952 text form of a 16-octet IPv6 address. */
export function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const txt = groups.map((g) => g.toString(16));
  if (bestStart < 0) return txt.join(':');
  return `${txt.slice(0, bestStart).join(':')}::${txt.slice(bestStart + bestLen).join(':')}`;
}
