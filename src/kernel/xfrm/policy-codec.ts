// Policy messages: XFRM_MSG_NEWPOLICY/UPDPOLICY, GETPOLICY/DELPOLICY ids,
// policies as the kernel reports them, and the per-socket bypass policy.
// Pure functions.
import type {
  PolicyDir,
  PolicySpec,
  PolicyState,
  PolicyTemplate,
  TrafficSelector,
  XfrmMark,
} from '../backend.js';
import { KernelError } from '../backend.js';
import { formatAddress, parseAddress, type Family } from '../address.js';
import { decodeAttributes, zeroed, type Attribute } from '../netlink/message.js';
import { decodeStruct, encodeStruct, type StructValue } from '../netlink/struct.js';
import { familyCode, familyFromCode, protoCode, protoFromCode, modeCode, modeFromCode, dirCode, dirFromCode, sameFamily, num, lifetimeCfg, decodeLifetimeCfg, selectorStruct, decodeSelector, markAttr, ifIdAttr, decodeMark, decodeIfId } from './fields.js';
import * as X from './structs.js';

function templateStruct(t: PolicyTemplate, selectorFamily: Family): StructValue {
  if (t.mode === 'tunnel' && (!t.src || !t.dst)) {
    throw new KernelError('KERNEL_BAD_TEMPLATE', 'EINVAL', 'a tunnel-mode template needs src and dst tunnel endpoints');
  }
  if (t.mode === 'transport' && (t.src || t.dst)) {
    throw new KernelError('KERNEL_BAD_TEMPLATE', 'EINVAL', 'a transport-mode template takes no tunnel endpoints');
  }
  const family = t.src && t.dst ? sameFamily('template', t.src, t.dst) : selectorFamily;
  return {
    id: { daddr: t.dst ? parseAddress(t.dst).bytes : undefined, spi: t.spi ?? 0, proto: protoCode(t.proto) },
    family: familyCode(family),
    saddr: t.src ? parseAddress(t.src).bytes : undefined,
    reqid: t.reqid,
    mode: modeCode(t.mode),
    optional: t.optional ? 1 : 0,
    aalgos: 0xffffffff,
    ealgos: 0xffffffff,
    calgos: 0xffffffff,
  };
}

/**
 * XFRM_MSG_NEWPOLICY / XFRM_MSG_UPDPOLICY payload. `owner` goes into the
 * selector's `user` field: the kernel stores and reports it but never
 * matches packets on it, which makes it nodeswan's ownership mark.
 */
export function encodePolicy(p: PolicySpec, owner = 0): { fixed: Buffer; attrs: Attribute[] } {
  const sel = selectorStruct(p.selector, owner);
  const selFamily = familyFromCode(num(sel.family));
  if (!Number.isInteger(p.priority) || p.priority < 0 || p.priority > 0xffffffff) {
    throw new KernelError('KERNEL_BAD_POLICY', 'EINVAL', `policy priority ${p.priority} is out of range (0-4294967295)`);
  }
  const fixed = encodeStruct(X.xfrm_userpolicy_info, {
    sel,
    lft: lifetimeCfg(p.lifetime),
    priority: p.priority,
    dir: dirCode(p.dir),
    action: p.action === 'block' ? X.XFRM_POLICY_BLOCK : X.XFRM_POLICY_ALLOW,
  });
  const attrs: Attribute[] = [];
  if (p.templates.length > 0) {
    const tmpl = zeroed(X.xfrm_user_tmpl.size * p.templates.length);
    p.templates.forEach((t, i) => encodeStruct(X.xfrm_user_tmpl, templateStruct(t, selFamily), tmpl, i * X.xfrm_user_tmpl.size));
    attrs.push({ type: X.XFRMA_TMPL, value: tmpl });
  }
  attrs.push(...markAttr(p.mark), ...ifIdAttr(p.ifId));
  return { fixed, attrs };
}

/** XFRM_MSG_GETPOLICY / XFRM_MSG_DELPOLICY payload, by index or by selector. */
export function encodePolicyId(
  ref: {
    dir: PolicyDir;
    index?: number;
    selector?: TrafficSelector;
    mark?: XfrmMark;
    ifId?: number;
  },
  owner = 0,
): { fixed: Buffer; attrs: Attribute[] } {
  const fixed = encodeStruct(X.xfrm_userpolicy_id, {
    sel: ref.selector ? selectorStruct(ref.selector, owner) : undefined,
    index: ref.index ?? 0,
    dir: dirCode(ref.dir),
  });
  return { fixed, attrs: [...markAttr(ref.mark), ...ifIdAttr(ref.ifId)] };
}

const POLICY_INDEX_OFFSET = X.xfrm_userpolicy_info.fields.find((f) => f.name === 'index')!.offset;
const SELECTOR_USER_OFFSET = X.xfrm_selector.fields.find((f) => f.name === 'user')!.offset;

/** The index of a policy message (notification or dump entry), read cheaply. */
export function policyIndexOf(payload: Buffer): number {
  return payload.readUInt32LE(POLICY_INDEX_OFFSET);
}

/** The ownership mark (selector `user` field) of a policy message. */
export function policyOwnerOf(payload: Buffer): number {
  return payload.readUInt32LE(SELECTOR_USER_OFFSET);
}

export function decodeTemplates(buf: Buffer | undefined): PolicyTemplate[] {
  const out: PolicyTemplate[] = [];
  if (!buf) return out;
  for (let at = 0; at + X.xfrm_user_tmpl.size <= buf.length; at += X.xfrm_user_tmpl.size) {
    const v = decodeStruct(X.xfrm_user_tmpl, buf, at);
    const id = v.id as StructValue;
    const family = familyFromCode(num(v.family));
    const t: PolicyTemplate = { proto: protoFromCode(num(id.proto)), mode: modeFromCode(num(v.mode)), reqid: num(v.reqid) };
    if (t.mode === 'tunnel') {
      t.src = formatAddress(family, v.saddr as Uint8Array);
      t.dst = formatAddress(family, id.daddr as Uint8Array);
    }
    if (num(id.spi)) t.spi = num(id.spi);
    if (num(v.optional)) t.optional = true;
    out.push(t);
  }
  return out;
}

export function decodePolicy(payload: Buffer): PolicyState {
  const v = decodeStruct(X.xfrm_userpolicy_info, payload);
  const attrs = decodeAttributes(payload, X.xfrm_userpolicy_info.size);
  const sel = v.sel as StructValue;
  const p: PolicyState = {
    dir: dirFromCode(num(v.dir)),
    index: num(v.index),
    selector: decodeSelector(sel, 4),
    priority: num(v.priority),
    action: num(v.action) === X.XFRM_POLICY_BLOCK ? 'block' : 'allow',
    templates: decodeTemplates(attrs.get(X.XFRMA_TMPL)),
  };
  const lifetime = decodeLifetimeCfg(v.lft as StructValue);
  if (Object.keys(lifetime).length > 0) p.lifetime = lifetime;
  const mark = decodeMark(attrs);
  if (mark) p.mark = mark;
  const ifId = decodeIfId(attrs);
  if (ifId !== undefined) p.ifId = ifId;
  return p;
}

/** The per-socket allow policy for IP_XFRM_POLICY / IPV6_XFRM_POLICY. */
export function encodeSocketBypass(dir: 'in' | 'out', family: Family): Buffer {
  return encodeStruct(X.xfrm_userpolicy_info, {
    sel: { family: familyCode(family) },
    lft: lifetimeCfg(undefined),
    dir: dirCode(dir),
    action: X.XFRM_POLICY_ALLOW,
  });
}
