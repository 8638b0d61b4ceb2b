// Plain backend data <-> xfrm netlink payloads (fixed struct + attributes).
// Pure functions: no sockets, no state. The struct layouts come from
// ./structs.ts; this file decides which fields and attributes carry what.
import type {
  AllocSpiRequest,
  KernelEvent,
  LifetimeConfig,
  PolicyDir,
  PolicySpec,
  PolicyState,
  PolicyTemplate,
  SaAlgorithmNames,
  SaId,
  SaSpec,
  SaState,
  TrafficSelector,
  XfrmMark,
  XfrmMode,
  XfrmProto,
} from '../backend.js';
import { KernelError } from '../backend.js';
import { familyOf, formatAddress, parseAddress, parsePrefix, type Family } from '../address.js';
import { decodeAttributes, type Attribute, u32Attr, zeroed } from '../netlink/message.js';
import { decodeStruct, encodeStruct, type StructValue } from '../netlink/struct.js';
import { anySelector, normalizeSelector } from '../selector.js';
import * as X from './structs.js';

// ---- small conversions ------------------------------------------------------

export const familyCode = (f: Family): number => (f === 4 ? X.AF_INET : X.AF_INET6);
const familyFromCode = (c: number): Family => (c === X.AF_INET6 ? 6 : 4);
export const protoCode = (p: XfrmProto): number => (p === 'esp' ? X.IPPROTO_ESP : X.IPPROTO_AH);
const protoFromCode = (c: number): XfrmProto => (c === X.IPPROTO_AH ? 'ah' : 'esp');
const modeCode = (m: XfrmMode): number => (m === 'tunnel' ? X.XFRM_MODE_TUNNEL : X.XFRM_MODE_TRANSPORT);
const modeFromCode = (c: number): XfrmMode => (c === X.XFRM_MODE_TUNNEL ? 'tunnel' : 'transport');
const DIRS: PolicyDir[] = ['in', 'out', 'fwd'];
export const dirCode = (d: PolicyDir): number => DIRS.indexOf(d);
export const dirFromCode = (c: number): PolicyDir => DIRS[c & 3] ?? 'in';

function sameFamily(what: string, ...addresses: string[]): Family {
  const families = new Set(addresses.map(familyOf));
  if (families.size !== 1) {
    throw new KernelError('KERNEL_BAD_ADDRESS', 'EINVAL', `${what}: addresses ${addresses.join(', ')} mix IPv4 and IPv6`);
  }
  return familyOf(addresses[0]!);
}

const num = (v: unknown): number => Number(v as number | bigint);

/** Unlimited lifetime limits, shared (the encoder only reads it). */
const NO_LIMITS: StructValue = {
  soft_byte_limit: X.XFRM_INF,
  hard_byte_limit: X.XFRM_INF,
  soft_packet_limit: X.XFRM_INF,
  hard_packet_limit: X.XFRM_INF,
};

function lifetimeCfg(l: LifetimeConfig | undefined): StructValue {
  if (!l) return NO_LIMITS;
  const v = (n: number | undefined): number | bigint => (n === undefined ? X.XFRM_INF : n);
  return {
    soft_byte_limit: v(l.softBytes),
    hard_byte_limit: v(l.hardBytes),
    soft_packet_limit: v(l.softPackets),
    hard_packet_limit: v(l.hardPackets),
    soft_add_expires_seconds: l.softAddSeconds ?? 0,
    hard_add_expires_seconds: l.hardAddSeconds ?? 0,
    soft_use_expires_seconds: l.softUseSeconds ?? 0,
    hard_use_expires_seconds: l.hardUseSeconds ?? 0,
  };
}

function decodeLifetimeCfg(v: StructValue): LifetimeConfig {
  const out: LifetimeConfig = {};
  const limit = (x: unknown): number | undefined => (x === X.XFRM_INF ? undefined : num(x));
  const secs = (x: unknown): number | undefined => (num(x) === 0 ? undefined : num(x));
  const set = (k: keyof LifetimeConfig, x: number | undefined): void => {
    if (x !== undefined) out[k] = x;
  };
  set('softBytes', limit(v.soft_byte_limit));
  set('hardBytes', limit(v.hard_byte_limit));
  set('softPackets', limit(v.soft_packet_limit));
  set('hardPackets', limit(v.hard_packet_limit));
  set('softAddSeconds', secs(v.soft_add_expires_seconds));
  set('hardAddSeconds', secs(v.hard_add_expires_seconds));
  set('softUseSeconds', secs(v.soft_use_expires_seconds));
  set('hardUseSeconds', secs(v.hard_use_expires_seconds));
  return out;
}

/** `user` is the ownership mark (see encodePolicy). */
export function selectorStruct(sel: TrafficSelector, user = 0): StructValue {
  const src = parsePrefix(sel.src);
  const dst = parsePrefix(sel.dst);
  if (src.family !== dst.family) {
    throw new KernelError('KERNEL_BAD_SELECTOR', 'EINVAL', `selector ${sel.src} -> ${sel.dst} mixes IPv4 and IPv6`);
  }
  if (sel.proto !== undefined || sel.srcPort !== undefined || sel.dstPort !== undefined) normalizeSelector(sel); // validates ranges
  return {
    daddr: dst.bytes,
    saddr: src.bytes,
    dport: sel.dstPort ?? 0,
    dport_mask: sel.dstPort ? 0xffff : 0,
    sport: sel.srcPort ?? 0,
    sport_mask: sel.srcPort ? 0xffff : 0,
    family: familyCode(src.family),
    prefixlen_d: dst.length,
    prefixlen_s: src.length,
    proto: sel.proto ?? 0,
    user,
  };
}

export function decodeSelector(v: StructValue, fallbackFamily: Family): TrafficSelector {
  const familyCodeValue = num(v.family);
  if (familyCodeValue === 0) return anySelector(fallbackFamily);
  const family = familyFromCode(familyCodeValue);
  const out: TrafficSelector = {
    src: `${formatAddress(family, v.saddr as Uint8Array)}/${num(v.prefixlen_s)}`,
    dst: `${formatAddress(family, v.daddr as Uint8Array)}/${num(v.prefixlen_d)}`,
  };
  if (num(v.proto)) out.proto = num(v.proto);
  if (num(v.sport_mask) && num(v.sport)) out.srcPort = num(v.sport);
  if (num(v.dport_mask) && num(v.dport)) out.dstPort = num(v.dport);
  return out;
}

function markAttr(mark: XfrmMark | undefined): Attribute[] {
  if (!mark) return [];
  return [{ type: X.XFRMA_MARK, value: encodeStruct(X.xfrm_mark, { v: mark.value >>> 0, m: mark.mask >>> 0 }) }];
}

function ifIdAttr(ifId: number | undefined): Attribute[] {
  return ifId === undefined ? [] : [u32Attr(X.XFRMA_IF_ID, ifId)];
}

function decodeMark(attrs: Map<number, Buffer>): XfrmMark | undefined {
  const m = attrs.get(X.XFRMA_MARK);
  if (!m || m.length < X.xfrm_mark.size) return undefined;
  const v = decodeStruct(X.xfrm_mark, m);
  if (num(v.v) === 0 && num(v.m) === 0) return undefined;
  return { value: num(v.v), mask: num(v.m) };
}

function decodeIfId(attrs: Map<number, Buffer>): number | undefined {
  const b = attrs.get(X.XFRMA_IF_ID);
  const id = b && b.length >= 4 ? b.readUInt32LE(0) : 0;
  return id === 0 ? undefined : id;
}

function algName(name: string): Buffer {
  const b = Buffer.from(name, 'latin1');
  if (b.length >= 64) throw new KernelError('KERNEL_BAD_ALGORITHM', 'EINVAL', `algorithm name '${name}' is longer than 63 bytes`);
  return b;
}

function algAttrs(sa: SaSpec): Attribute[] {
  const a = sa.algorithms;
  const out: Attribute[] = [];
  if (a.aead) {
    if (a.crypt || a.auth) {
      throw new KernelError('KERNEL_BAD_ALGORITHM', 'EINVAL', 'an SA takes either an AEAD algorithm or crypt/auth algorithms, not both');
    }
    const head = encodeStruct(X.xfrm_algo_aead, {
      alg_name: algName(a.aead.name),
      alg_key_len: a.aead.key.length * 8,
      alg_icv_len: a.aead.icvBits,
    });
    out.push({ type: X.XFRMA_ALG_AEAD, value: Buffer.concat([head, a.aead.key]) });
  }
  if (a.crypt) {
    const head = encodeStruct(X.xfrm_algo, { alg_name: algName(a.crypt.name), alg_key_len: a.crypt.key.length * 8 });
    out.push({ type: X.XFRMA_ALG_CRYPT, value: Buffer.concat([head, a.crypt.key]) });
  }
  if (a.auth) {
    const head = encodeStruct(X.xfrm_algo_auth, {
      alg_name: algName(a.auth.name),
      alg_key_len: a.auth.key.length * 8,
      alg_trunc_len: a.auth.truncBits,
    });
    out.push({ type: X.XFRMA_ALG_AUTH_TRUNC, value: Buffer.concat([head, a.auth.key]) });
  }
  if (sa.proto === 'esp' && !a.aead && !a.crypt) {
    throw new KernelError('KERNEL_BAD_ALGORITHM', 'EINVAL', 'an ESP SA needs an aead or a crypt algorithm');
  }
  if (sa.proto === 'ah' && (!a.auth || a.aead || a.crypt)) {
    throw new KernelError('KERNEL_BAD_ALGORITHM', 'EINVAL', 'an AH SA takes exactly one auth algorithm');
  }
  return out;
}

const cName = (b: Buffer): string => {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('latin1');
};

function decodeAlgorithms(attrs: Map<number, Buffer>): SaAlgorithmNames {
  const out: SaAlgorithmNames = {};
  const aead = attrs.get(X.XFRMA_ALG_AEAD);
  if (aead) {
    const v = decodeStruct(X.xfrm_algo_aead, aead);
    out.aead = { name: cName(v.alg_name as Buffer), keyBits: num(v.alg_key_len), icvBits: num(v.alg_icv_len) };
  }
  const crypt = attrs.get(X.XFRMA_ALG_CRYPT);
  if (crypt) {
    const v = decodeStruct(X.xfrm_algo, crypt);
    out.crypt = { name: cName(v.alg_name as Buffer), keyBits: num(v.alg_key_len) };
  }
  const auth = attrs.get(X.XFRMA_ALG_AUTH_TRUNC);
  if (auth) {
    const v = decodeStruct(X.xfrm_algo_auth, auth);
    out.auth = { name: cName(v.alg_name as Buffer), keyBits: num(v.alg_key_len), truncBits: num(v.alg_trunc_len) };
  }
  return out;
}

// ---- SAs ---------------------------------------------------------------------

/** Legacy (non-ESN) replay state holds a 32-packet bitmap. */
const LEGACY_REPLAY_MAX = 32;

/** XFRM_MSG_NEWSA / XFRM_MSG_UPDSA payload. */
export function encodeSa(sa: SaSpec): { fixed: Buffer; attrs: Attribute[] } {
  const family = sameFamily('SA', sa.src, sa.dst);
  const window = sa.replayWindow ?? 0;
  if (!Number.isInteger(window) || window < 0 || window > 4096) {
    throw new KernelError('KERNEL_BAD_REPLAY_WINDOW', 'EINVAL', `replay window ${window} is out of range (0-4096)`);
  }
  if (sa.esn && sa.proto !== 'esp') {
    throw new KernelError('KERNEL_BAD_ESN', 'EINVAL', 'extended sequence numbers need ESP');
  }
  if (sa.esn && window === 0) {
    // The kernel refuses an ESN replay state without a window (EINVAL, "ESN replay window must be > 0").
    throw new KernelError('KERNEL_BAD_REPLAY_WINDOW', 'EINVAL', 'extended sequence numbers need a replay window of at least 1 packet');
  }
  const useEsnState = sa.esn === true || window > LEGACY_REPLAY_MAX;
  const selector = sa.selector ?? anySelector(family);
  const fixed = encodeStruct(X.xfrm_usersa_info, {
    sel: selectorStruct(selector),
    id: { daddr: parseAddress(sa.dst).bytes, spi: sa.spi, proto: protoCode(sa.proto) },
    saddr: parseAddress(sa.src).bytes,
    lft: lifetimeCfg(sa.lifetime),
    reqid: sa.reqid,
    family: familyCode(family),
    mode: modeCode(sa.mode),
    replay_window: useEsnState ? 0 : window,
    flags: sa.esn ? X.XFRM_STATE_ESN : 0,
  });
  const attrs = algAttrs(sa);
  if (sa.encap) {
    attrs.push({
      type: X.XFRMA_ENCAP,
      value: encodeStruct(X.xfrm_encap_tmpl, {
        encap_type: X.UDP_ENCAP_ESPINUDP,
        encap_sport: sa.encap.srcPort,
        encap_dport: sa.encap.dstPort,
      }),
    });
  }
  if (useEsnState) {
    const words = Math.ceil(window / 32);
    const head = encodeStruct(X.xfrm_replay_state_esn, { bmp_len: words, replay_window: window });
    attrs.push({ type: X.XFRMA_REPLAY_ESN_VAL, value: Buffer.concat([head, Buffer.alloc(words * 4)]) });
  }
  attrs.push(...markAttr(sa.mark), ...ifIdAttr(sa.ifId));
  return { fixed, attrs };
}

/** XFRM_MSG_GETSA / XFRM_MSG_DELSA payload. */
export function encodeSaId(id: SaId): { fixed: Buffer; attrs: Attribute[] } {
  const dst = parseAddress(id.dst);
  const fixed = encodeStruct(X.xfrm_usersa_id, {
    daddr: dst.bytes,
    spi: id.spi,
    family: familyCode(dst.family),
    proto: protoCode(id.proto),
  });
  return { fixed, attrs: markAttr(id.mark) };
}

/** XFRM_MSG_ALLOCSPI payload. */
export function encodeAllocSpi(req: AllocSpiRequest): { fixed: Buffer; attrs: Attribute[] } {
  const family = sameFamily('allocSpi', req.src, req.dst);
  const min = req.min ?? 0x100;
  const max = req.max ?? 0xffffffff;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max && max <= 0xffffffff)) {
    throw new KernelError('KERNEL_BAD_SPI_RANGE', 'EINVAL', `SPI range ${min}-${max} is invalid (1 <= min <= max <= 0xffffffff)`);
  }
  const fixed = encodeStruct(X.xfrm_userspi_info, {
    info: {
      id: { daddr: parseAddress(req.dst).bytes, proto: protoCode(req.proto) },
      saddr: parseAddress(req.src).bytes,
      reqid: req.reqid,
      family: familyCode(family),
      mode: modeCode(req.mode ?? 'transport'),
    },
    min,
    max,
  });
  return { fixed, attrs: [...markAttr(req.mark), ...ifIdAttr(req.ifId)] };
}

export function decodeSa(payload: Buffer): SaState {
  const v = decodeStruct(X.xfrm_usersa_info, payload);
  const attrs = decodeAttributes(payload, X.xfrm_usersa_info.size);
  return saFromStruct(v, attrs);
}

function saFromStruct(v: StructValue, attrs: Map<number, Buffer>): SaState {
  const family = familyFromCode(num(v.family));
  const id = v.id as StructValue;
  const algorithms = decodeAlgorithms(attrs);
  const flags = num(v.flags);
  const curlft = v.curlft as StructValue;
  const stats = v.stats as StructValue;
  let replayWindow = num(v.replay_window);
  const esnState = attrs.get(X.XFRMA_REPLAY_ESN_VAL);
  if (esnState && esnState.length >= X.xfrm_replay_state_esn.size) {
    replayWindow = num(decodeStruct(X.xfrm_replay_state_esn, esnState).replay_window);
  }
  const sa: SaState = {
    dst: formatAddress(family, id.daddr as Uint8Array),
    spi: num(id.spi),
    proto: protoFromCode(num(id.proto)),
    src: formatAddress(family, v.saddr as Uint8Array),
    mode: modeFromCode(num(v.mode)),
    reqid: num(v.reqid),
    algorithms,
    esn: (flags & X.XFRM_STATE_ESN) !== 0,
    replayWindow,
    lifetime: decodeLifetimeCfg(v.lft as StructValue),
    current: {
      bytes: num(curlft.bytes),
      packets: num(curlft.packets),
      addTime: num(curlft.add_time),
      useTime: num(curlft.use_time),
    },
    stats: {
      replayWindow: num(stats.replay_window),
      replay: num(stats.replay),
      integrityFailed: num(stats.integrity_failed),
    },
    selector: decodeSelector(v.sel as StructValue, family),
    larval: !algorithms.aead && !algorithms.crypt && !algorithms.auth,
  };
  const encap = attrs.get(X.XFRMA_ENCAP);
  if (encap) {
    const e = decodeStruct(X.xfrm_encap_tmpl, encap);
    sa.encap = { srcPort: num(e.encap_sport), dstPort: num(e.encap_dport) };
  }
  const mark = decodeMark(attrs);
  if (mark) sa.mark = mark;
  const ifId = decodeIfId(attrs);
  if (ifId !== undefined) sa.ifId = ifId;
  return sa;
}

// ---- policies ------------------------------------------------------------------

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

function decodeTemplates(buf: Buffer | undefined): PolicyTemplate[] {
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

// ---- events ----------------------------------------------------------------------

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
