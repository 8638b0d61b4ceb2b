// Netlink framing (RFC 3549, linux/netlink.h): a 16-byte nlmsghdr, a payload
// aligned to 4 bytes, and type-length-value attributes (struct nlattr /
// rtattr share one layout) aligned to 4 bytes.

export const NLMSG_HDRLEN = 16;
export const NLA_HDRLEN = 4;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On NLMSG_ERROR: the request was not echoed (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;
/** On NLMSG_ERROR: extended-ack TLVs follow. */
export const NLM_F_ACK_TLVS = 0x200;

export const NLMSGERR_ATTR_MSG = 1;

export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;

export const NETLINK_ROUTE = 0;
export const NETLINK_XFRM = 6;

/**
 * A zero-filled buffer from Node's shared pool: Buffer.alloc gives each small
 * buffer its own ArrayBuffer, which dominated the cost of encoding a policy.
 */
export function zeroed(size: number): Buffer {
  return Buffer.allocUnsafe(size).fill(0);
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The payload (a view into the received buffer). */
  payload: Buffer;
}

/** One attribute to encode; `value` is already in wire form. */
export interface Attribute {
  type: number;
  value: Uint8Array;
}

export function encodeMessage(
  type: number,
  flags: number,
  seq: number,
  fixed: Uint8Array,
  attrs: readonly Attribute[] = [],
  secret = false,
): Buffer {
  let length = NLMSG_HDRLEN + align4(fixed.length);
  for (const a of attrs) length += align4(NLA_HDRLEN + a.value.length);
  // Key material never goes into Node's shared buffer pool, where a later
  // Buffer.allocUnsafe elsewhere could hand the bytes out again.
  const out = secret ? Buffer.alloc(length) : zeroed(length);
  out.writeUInt32LE(length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(0, 12);
  out.set(fixed, NLMSG_HDRLEN);
  let at = NLMSG_HDRLEN + align4(fixed.length);
  for (const a of attrs) {
    out.writeUInt16LE(NLA_HDRLEN + a.value.length, at);
    out.writeUInt16LE(a.type, at + 2);
    out.set(a.value, at + NLA_HDRLEN);
    at += align4(NLA_HDRLEN + a.value.length);
  }
  return out;
}

/** Splits a buffer holding one or more datagrams into messages; throws on truncation. */
export function decodeMessages(buf: Buffer): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const length = buf.readUInt32LE(at);
    if (length < NLMSG_HDRLEN || at + length > buf.length) {
      throw new Error(`malformed netlink message: length ${length} at offset ${at} of ${buf.length}`);
    }
    out.push({
      type: buf.readUInt16LE(at + 4),
      flags: buf.readUInt16LE(at + 6),
      seq: buf.readUInt32LE(at + 8),
      pid: buf.readUInt32LE(at + 12),
      payload: buf.subarray(at + NLMSG_HDRLEN, at + length),
    });
    at += align4(length);
  }
  return out;
}

/** Attributes after a fixed-size header in a payload; later duplicates win. */
export function decodeAttributes(payload: Buffer, fixedSize: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = align4(fixedSize);
  while (at + NLA_HDRLEN <= payload.length) {
    const length = payload.readUInt16LE(at);
    const type = payload.readUInt16LE(at + 2) & 0x3fff; // strip NLA_F_NESTED / NET_BYTEORDER
    if (length < NLA_HDRLEN || at + length > payload.length) break;
    out.set(type, payload.subarray(at + NLA_HDRLEN, at + length));
    at += align4(length);
  }
  return out;
}

export function u32Attr(type: number, value: number): Attribute {
  const b = zeroed(4);
  b.writeUInt32LE(value >>> 0);
  return { type, value: b };
}
