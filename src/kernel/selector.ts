// Canonical form of traffic selectors, shared by the xfrm backend and the
// in-memory twin so both report the same thing back.
import type { TrafficSelector } from './backend.js';
import { KernelError } from './backend.js';
import { canonicalPrefix, parsePrefix } from './address.js';

/** Canonical prefixes (host bits cleared), zero/absent fields dropped. */
export function normalizeSelector(sel: TrafficSelector): TrafficSelector {
  const src = parsePrefix(sel.src);
  const dst = parsePrefix(sel.dst);
  if (src.family !== dst.family) {
    throw new KernelError('KERNEL_BAD_SELECTOR', 'EINVAL', `selector ${sel.src} -> ${sel.dst} mixes IPv4 and IPv6`);
  }
  for (const [name, port] of [['srcPort', sel.srcPort], ['dstPort', sel.dstPort]] as const) {
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 0xffff)) {
      throw new KernelError('KERNEL_BAD_SELECTOR', 'EINVAL', `selector ${name} ${port} is not a port number (0-65535)`);
    }
  }
  if (sel.proto !== undefined && (!Number.isInteger(sel.proto) || sel.proto < 0 || sel.proto > 255)) {
    throw new KernelError('KERNEL_BAD_SELECTOR', 'EINVAL', `selector proto ${sel.proto} is not an IP protocol number (0-255)`);
  }
  const out: TrafficSelector = { src: canonicalPrefix(sel.src), dst: canonicalPrefix(sel.dst) };
  if (sel.proto) out.proto = sel.proto;
  if (sel.srcPort) out.srcPort = sel.srcPort;
  if (sel.dstPort) out.dstPort = sel.dstPort;
  return out;
}

/** Identity key of a selector (for maps and equality). */
export function selectorKey(sel: TrafficSelector): string {
  const n = normalizeSelector(sel);
  return `${n.src}>${n.dst}:${n.proto ?? 0}:${n.srcPort ?? 0}:${n.dstPort ?? 0}`;
}

/** The match-everything selector of an address family (what an SA without one reports). */
export function anySelector(family: 4 | 6): TrafficSelector {
  return family === 4 ? { src: '0.0.0.0/0', dst: '0.0.0.0/0' } : { src: '::/0', dst: '::/0' };
}
