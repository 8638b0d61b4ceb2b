// Field-level conversions shared by the xfrm message codecs: enums,
// selectors, lifetimes, marks, if_id, algorithms. Pure functions; the
// struct layouts come from ./structs.ts.
import type {
  LifetimeConfig,
  PolicyDir,
  SaAlgorithmNames,
  SaSpec,
  TrafficSelector,
  XfrmMark,
  XfrmMode,
  XfrmProto,
} from '../backend.js';
import { KernelError } from '../backend.js';
import { familyOf, formatAddress, parsePrefix, type Family } from '../address.js';
import { u32Attr, type Attribute } from '../netlink/message.js';
import { decodeStruct, encodeStruct, type StructValue } from '../netlink/struct.js';
import { anySelector, normalizeSelector } from '../selector.js';
import * as X from './structs.js';

export const familyCode = (f: Family): number => (f === 4 ? X.AF_INET : X.AF_INET6);
export const familyFromCode = (c: number): Family => (c === X.AF_INET6 ? 6 : 4);
export const protoCode = (p: XfrmProto): number => (p === 'esp' ? X.IPPROTO_ESP : X.IPPROTO_AH);
export const protoFromCode = (c: number): XfrmProto => (c === X.IPPROTO_AH ? 'ah' : 'esp');
export const modeCode = (m: XfrmMode): number => (m === 'tunnel' ? X.XFRM_MODE_TUNNEL : X.XFRM_MODE_TRANSPORT);
export const modeFromCode = (c: number): XfrmMode => (c === X.XFRM_MODE_TUNNEL ? 'tunnel' : 'transport');
const DIRS: PolicyDir[] = ['in', 'out', 'fwd'];
export const dirCode = (d: PolicyDir): number => DIRS.indexOf(d);
export const dirFromCode = (c: number): PolicyDir => DIRS[c & 3] ?? 'in';

export function sameFamily(what: string, ...addresses: string[]): Family {
  const families = new Set(addresses.map(familyOf));
  if (families.size !== 1) {
    throw new KernelError('KERNEL_BAD_ADDRESS', 'EINVAL', `${what}: addresses ${addresses.join(', ')} mix IPv4 and IPv6`);
  }
  return familyOf(addresses[0]!);
}

export const num = (v: unknown): number => Number(v as number | bigint);

/** Unlimited lifetime limits, shared (the encoder only reads it). */
const NO_LIMITS: StructValue = {
  soft_byte_limit: X.XFRM_INF,
  hard_byte_limit: X.XFRM_INF,
  soft_packet_limit: X.XFRM_INF,
  hard_packet_limit: X.XFRM_INF,
};

export function lifetimeCfg(l: LifetimeConfig | undefined): StructValue {
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

export function decodeLifetimeCfg(v: StructValue): LifetimeConfig {
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

export function markAttr(mark: XfrmMark | undefined): Attribute[] {
  if (!mark) return [];
  return [{ type: X.XFRMA_MARK, value: encodeStruct(X.xfrm_mark, { v: mark.value >>> 0, m: mark.mask >>> 0 }) }];
}

export function ifIdAttr(ifId: number | undefined): Attribute[] {
  return ifId === undefined ? [] : [u32Attr(X.XFRMA_IF_ID, ifId)];
}

export function decodeMark(attrs: Map<number, Buffer>): XfrmMark | undefined {
  const m = attrs.get(X.XFRMA_MARK);
  if (!m || m.length < X.xfrm_mark.size) return undefined;
  const v = decodeStruct(X.xfrm_mark, m);
  if (num(v.v) === 0 && num(v.m) === 0) return undefined;
  return { value: num(v.v), mask: num(v.m) };
}

export function decodeIfId(attrs: Map<number, Buffer>): number | undefined {
  const b = attrs.get(X.XFRMA_IF_ID);
  const id = b && b.length >= 4 ? b.readUInt32LE(0) : 0;
  return id === 0 ? undefined : id;
}

function algName(name: string): Buffer {
  const b = Buffer.from(name, 'latin1');
  if (b.length >= 64) throw new KernelError('KERNEL_BAD_ALGORITHM', 'EINVAL', `algorithm name '${name}' is longer than 63 bytes`);
  return b;
}

/** Algorithm header + key in memory of its own (not Node's shared pool), so it can be wiped. */
function withKey(head: Buffer, key: Uint8Array): Buffer {
  const out = Buffer.alloc(head.length + key.length);
  out.set(head, 0);
  out.set(key, head.length);
  return out;
}

/** Overwrites the key material in algorithm attributes once they are sent. */
export function wipeKeys(attrs: readonly Attribute[]): void {
  for (const a of attrs) {
    if (a.type === X.XFRMA_ALG_AEAD || a.type === X.XFRMA_ALG_CRYPT || a.type === X.XFRMA_ALG_AUTH_TRUNC) a.value.fill(0);
  }
}

export function algAttrs(sa: SaSpec): Attribute[] {
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
    out.push({ type: X.XFRMA_ALG_AEAD, value: withKey(head, a.aead.key) });
  }
  if (a.crypt) {
    const head = encodeStruct(X.xfrm_algo, { alg_name: algName(a.crypt.name), alg_key_len: a.crypt.key.length * 8 });
    out.push({ type: X.XFRMA_ALG_CRYPT, value: withKey(head, a.crypt.key) });
  }
  if (a.auth) {
    const head = encodeStruct(X.xfrm_algo_auth, {
      alg_name: algName(a.auth.name),
      alg_key_len: a.auth.key.length * 8,
      alg_trunc_len: a.auth.truncBits,
    });
    out.push({ type: X.XFRMA_ALG_AUTH_TRUNC, value: withKey(head, a.auth.key) });
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

export function decodeAlgorithms(attrs: Map<number, Buffer>): SaAlgorithmNames {
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
