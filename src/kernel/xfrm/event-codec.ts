// Multicast events: ACQUIRE, EXPIRE, MAPPING. Pure functions.
import type {
  KernelEvent,
  SaId,
} from '../backend.js';
import { familyOf, formatAddress } from '../address.js';
import { decodeAttributes } from '../netlink/message.js';
import { decodeStruct, type StructValue } from '../netlink/struct.js';
import { familyFromCode, protoFromCode, dirFromCode, num, decodeSelector, decodeMark } from './fields.js';
import { saFromStruct } from './sa-codec.js';
import { decodeTemplates } from './policy-codec.js';
import * as X from './structs.js';

/** Decodes an ACQUIRE / EXPIRE / MAPPING multicast; undefined for anything else. */
export function decodeEvent(type: number, payload: Buffer): KernelEvent | undefined {
  if (type === X.XFRM_MSG_ACQUIRE) {
    const v = decodeStruct(X.xfrm_user_acquire, payload);
    const attrs = decodeAttributes(payload, X.xfrm_user_acquire.size);
    const policy = v.policy as StructValue;
    const id = v.id as StructValue;
    const sel = v.sel as StructValue;
    const family = familyFromCode(num(sel.family) || num(((v.policy as StructValue).sel as StructValue).family));
    const templates = decodeTemplates(attrs.get(X.XFRMA_TMPL));
    const outerFamily = templates[0]?.src ? familyOf(templates[0].src) : family;
    return {
      type: 'acquire',
      reqid: templates[0]?.reqid ?? 0,
      policyIndex: num(policy.index),
      policyDir: dirFromCode(num(policy.dir)),
      src: formatAddress(outerFamily, v.saddr as Uint8Array),
      dst: formatAddress(outerFamily, id.daddr as Uint8Array),
      proto: protoFromCode(num(id.proto)),
      selector: decodeSelector(policy.sel as StructValue, family),
      packet: decodeSelector(sel, family),
      seq: num(v.seq),
    };
  }
  if (type === X.XFRM_MSG_EXPIRE) {
    const v = decodeStruct(X.xfrm_user_expire, payload);
    const state = v.state as StructValue;
    const sa = saFromStruct(state, new Map());
    const attrs = decodeAttributes(payload, X.xfrm_user_expire.size);
    const mark = decodeMark(attrs);
    const id: SaId & { src: string; reqid: number } = { dst: sa.dst, spi: sa.spi, proto: sa.proto, src: sa.src, reqid: sa.reqid };
    if (mark) id.mark = mark;
    return { type: 'expire', hard: num(v.hard) !== 0, sa: id };
  }
  if (type === X.XFRM_MSG_MAPPING) {
    const v = decodeStruct(X.xfrm_user_mapping, payload);
    const id = v.id as StructValue;
    const family = familyFromCode(num(id.family));
    return {
      type: 'mapping',
      sa: { dst: formatAddress(family, id.daddr as Uint8Array), spi: num(id.spi), proto: protoFromCode(num(id.proto)) },
      reqid: num(v.reqid),
      oldSrc: formatAddress(family, v.old_saddr as Uint8Array),
      oldSrcPort: num(v.old_sport),
      newSrc: formatAddress(family, v.new_saddr as Uint8Array),
      newSrcPort: num(v.new_sport),
    };
  }
  return undefined;
}
