// Traffic selectors and narrowing (RFC 7296 §2.9, §3.13.1). The responder
// intersects what the initiator proposed with what its conn allows and
// answers with the intersection (which may be narrower); the initiator
// checks that the answer lies within what it proposed.

import type { TrafficSelector } from './child-params.js';
import { cidrToRange, formatIp, parseIp, type Family } from './ip.js';

export type { TrafficSelector } from './child-params.js';

const ANY_PORTS = { startPort: 0, endPort: 65535 } as const;

/** "198.51.100.0/24" (+ optional protocol/port as in leftprotoport) -> TS. */
export function tsFromCidr(cidr: string, protocol = 0, port?: number): TrafficSelector {
  const r = cidrToRange(cidr);
  return {
    protocol,
    startPort: port ?? ANY_PORTS.startPort,
    endPort: port ?? ANY_PORTS.endPort,
    startAddress: formatIp({ family: r.family, value: r.start }),
    endAddress: formatIp({ family: r.family, value: r.end }),
  };
}

export function tsFamily(ts: TrafficSelector): Family {
  return parseIp(ts.startAddress).family;
}

/** Intersection of two selectors, or undefined when they do not overlap. */
export function intersectTs(a: TrafficSelector, b: TrafficSelector): TrafficSelector | undefined {
  const as = parseIp(a.startAddress);
  const bs = parseIp(b.startAddress);
  if (as.family !== bs.family) return undefined;
  if (a.protocol !== 0 && b.protocol !== 0 && a.protocol !== b.protocol) return undefined;
  const start = as.value > bs.value ? as.value : bs.value;
  const aEnd = parseIp(a.endAddress).value;
  const bEnd = parseIp(b.endAddress).value;
  const end = aEnd < bEnd ? aEnd : bEnd;
  if (start > end) return undefined;
  const startPort = Math.max(a.startPort, b.startPort);
  const endPort = Math.min(a.endPort, b.endPort);
  if (startPort > endPort) return undefined;
  return {
    protocol: a.protocol || b.protocol,
    startPort,
    endPort,
    startAddress: formatIp({ family: as.family, value: start }),
    endAddress: formatIp({ family: as.family, value: end }),
  };
}

export function tsContains(outer: TrafficSelector, inner: TrafficSelector): boolean {
  const i = intersectTs(outer, inner);
  return i !== undefined && sameTs(i, inner);
}

export function sameTs(a: TrafficSelector, b: TrafficSelector): boolean {
  return (
    a.protocol === b.protocol &&
    a.startPort === b.startPort &&
    a.endPort === b.endPort &&
    parseIp(a.startAddress).value === parseIp(b.startAddress).value &&
    parseIp(a.endAddress).value === parseIp(b.endAddress).value
  );
}

/** Responder: every non-empty intersection of offered x configured, without duplicates. */
export function narrow(offered: readonly TrafficSelector[], configured: readonly TrafficSelector[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const c of configured) {
    for (const o of offered) {
      const i = intersectTs(o, c);
      if (i && !out.some((x) => sameTs(x, i))) out.push(i);
    }
  }
  return out;
}

/** Initiator: the responder's answer must lie within what we proposed. */
export function withinProposed(proposed: readonly TrafficSelector[], answered: readonly TrafficSelector[]): boolean {
  return answered.length > 0 && answered.every((a) => proposed.some((p) => tsContains(p, a)));
}

/** "198.51.100.0/24", "192.0.2.1/32[udp/1701]", or "a - b" for non-prefix ranges. */
export function formatTs(ts: TrafficSelector): string {
  const s = parseIp(ts.startAddress);
  const e = parseIp(ts.endAddress);
  const bits = s.family === 4 ? 32 : 128;
  let addr = `${ts.startAddress}..${ts.endAddress}`;
  for (let len = 0; len <= bits; len++) {
    const host = BigInt(bits - len);
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << host) - 1n);
    if ((s.value & mask) === s.value && (s.value | ((1n << host) - 1n)) === e.value) {
      addr = `${ts.startAddress}/${len}`;
      break;
    }
  }
  const anyPort = ts.startPort === 0 && ts.endPort === 65535;
  if (ts.protocol === 0 && anyPort) return addr;
  const proto = PROTO_NAMES[ts.protocol] ?? String(ts.protocol);
  const port = anyPort ? '' : ts.startPort === ts.endPort ? `/${ts.startPort}` : `/${ts.startPort}-${ts.endPort}`;
  return `${addr}[${proto}${port}]`;
}

const PROTO_NAMES: Record<number, string> = { 0: 'any', 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp' };

export function formatTsList(list: readonly TrafficSelector[]): string {
  return list.length === 0 ? '(none)' : list.map(formatTs).join(' ');
}
