// A negotiated CHILD SA as the ordered list of kernel operations that
// install it, and the reverse list that removes it. Pure: the executor
// applies the plan. The order is the one that neither leaks cleartext nor
// drops packets: inbound SA first (the peer may start sending as soon as
// it has our response), then outbound SA, then policies (out last, so
// traffic is only steered into the tunnel once the SA that carries it
// exists).

import type { LifetimeConfig, PolicySpec, SaAlgorithms, SaId, SaSpec, TrafficSelector as KernelSelector } from '../kernel/backend.js';
import { tagsFor, type ChildKeys, type ChildLifetime, type ChildSaParams, type TrafficSelector } from './child-params.js';
import { bitsOf, parseIp, rangeToCidrs } from './ip.js';

export type KernelOp =
  | { op: 'update-sa'; sa: SaSpec } // completes the SPI reserved by allocSpi
  | { op: 'add-sa'; sa: SaSpec }
  | { op: 'add-policy'; policy: PolicySpec };

export interface KernelPlan {
  install: KernelOp[];
}

function algorithms(keys: ChildKeys): SaAlgorithms {
  const { encryption, integrity } = keys;
  if (!encryption) return integrity ? { auth: { name: integrity.xfrmName, key: integrity.key, truncBits: integrity.truncBits } } : {};
  if (encryption.icvBits !== undefined) {
    return { aead: { name: encryption.xfrmName, key: encryption.key, icvBits: encryption.icvBits } };
  }
  const algs: SaAlgorithms = { crypt: { name: encryption.xfrmName, key: encryption.key } };
  if (integrity) algs.auth = { name: integrity.xfrmName, key: integrity.key, truncBits: integrity.truncBits };
  return algs;
}

/** IKE selector ranges -> kernel prefix selectors (one per prefix). */
function prefixes(ts: TrafficSelector): string[] {
  const start = parseIp(ts.startAddress);
  const end = parseIp(ts.endAddress);
  return rangeToCidrs(start.family, start.value, end.value);
}

function portOf(ts: TrafficSelector): number | undefined {
  // The kernel selector carries one exact port or any; a proper sub-range
  // is widened to any (the SA's own selector check still applies).
  return ts.startPort === ts.endPort ? ts.startPort : undefined;
}

/** What the policies of a CHILD SA (or of a conn's trap, trap-plan.ts) are made of. */
export type PolicyParams = Pick<ChildSaParams, 'protocol' | 'mode' | 'reqid' | 'localAddress' | 'remoteAddress' | 'localTs' | 'remoteTs' | 'forward' | 'tags'>;

/** Local -> remote selectors (direction "out"), every prefix pair of every TS pair. */
export function outboundSelectors(child: Pick<ChildSaParams, 'localTs' | 'remoteTs'>): KernelSelector[] {
  const out: KernelSelector[] = [];
  for (const local of child.localTs) {
    for (const remote of child.remoteTs) {
      if (parseIp(local.startAddress).family !== parseIp(remote.startAddress).family) continue;
      const protocol = local.protocol || remote.protocol;
      if (local.protocol && remote.protocol && local.protocol !== remote.protocol) continue;
      for (const src of prefixes(local)) {
        for (const dst of prefixes(remote)) {
          const sel: KernelSelector = { src, dst };
          if (protocol) sel.proto = protocol;
          const srcPort = portOf(local);
          const dstPort = portOf(remote);
          if (protocol && srcPort !== undefined) sel.srcPort = srcPort;
          if (protocol && dstPort !== undefined) sel.dstPort = dstPort;
          out.push(sel);
        }
      }
    }
  }
  return out;
}

function reverse(sel: KernelSelector): KernelSelector {
  const r: KernelSelector = { src: sel.dst, dst: sel.src };
  if (sel.proto !== undefined) r.proto = sel.proto;
  if (sel.dstPort !== undefined) r.srcPort = sel.dstPort;
  if (sel.srcPort !== undefined) r.dstPort = sel.srcPort;
  return r;
}

/** More specific selectors get a lower (= preferred) priority value. */
export function policyPriority(sel: KernelSelector): number {
  const len = (p: string) => {
    const [addr = '', l] = p.split('/');
    return l === undefined ? bitsOf(parseIp(addr).family) : Number(l);
  };
  const specificity = len(sel.src) + len(sel.dst);
  return 200_000 - specificity * 4 - (sel.proto ? 2 : 0) - (sel.srcPort !== undefined || sel.dstPort !== undefined ? 1 : 0);
}

/** The xfrm lifetime of a CHILD SA's two SAs (each counts its own direction). */
function kernelLimits(l: ChildLifetime): LifetimeConfig {
  const out: LifetimeConfig = {};
  if (l.softSeconds !== undefined) out.softAddSeconds = l.softSeconds;
  if (l.hardSeconds !== undefined) out.hardAddSeconds = l.hardSeconds;
  if (l.softBytes !== undefined) out.softBytes = l.softBytes;
  if (l.hardBytes !== undefined) out.hardBytes = l.hardBytes;
  if (l.softPackets !== undefined) out.softPackets = l.softPackets;
  if (l.hardPackets !== undefined) out.hardPackets = l.hardPackets;
  return out;
}

/** How the kernel finds an SA again: destination, SPI, protocol and mark. */
export function saRef(sa: SaId): SaId {
  return { dst: sa.dst, spi: sa.spi, proto: sa.proto, ...(sa.mark ? { mark: sa.mark } : {}) };
}

export function saSpecs(child: ChildSaParams): { inbound: SaSpec; outbound: SaSpec } {
  const common = {
    proto: child.protocol,
    mode: child.mode,
    reqid: child.reqid,
    esn: child.esn,
    replayWindow: child.replayWindow,
  } as const;
  const lifetime = child.lifetime ? kernelLimits(child.lifetime) : undefined;
  const inbound: SaSpec = {
    ...common,
    ...tagsFor(child.tags, 'in'),
    src: child.remoteAddress,
    dst: child.localAddress,
    spi: child.spiIn,
    algorithms: algorithms(child.inbound),
  };
  const outbound: SaSpec = {
    ...common,
    ...tagsFor(child.tags, 'out'),
    src: child.localAddress,
    dst: child.remoteAddress,
    spi: child.spiOut,
    algorithms: algorithms(child.outbound),
  };
  if (lifetime) {
    inbound.lifetime = lifetime;
    outbound.lifetime = lifetime;
  }
  if (child.encap) {
    inbound.encap = { srcPort: child.encap.remotePort, dstPort: child.encap.localPort };
    outbound.encap = { srcPort: child.encap.localPort, dstPort: child.encap.remotePort };
  }
  return { inbound, outbound };
}

export function policySpecs(child: PolicyParams): PolicySpec[] {
  const template = (src: string, dst: string) =>
    child.mode === 'tunnel'
      ? { proto: child.protocol, mode: child.mode, reqid: child.reqid, src, dst }
      : { proto: child.protocol, mode: child.mode, reqid: child.reqid };
  const policies: PolicySpec[] = [];
  const outs = outboundSelectors(child);
  for (const sel of outs) {
    const back = reverse(sel);
    policies.push({
      dir: 'in',
      ...tagsFor(child.tags, 'in'),
      selector: back,
      priority: policyPriority(back),
      templates: [template(child.remoteAddress, child.localAddress)],
    });
    if (child.forward) {
      policies.push({
        dir: 'fwd',
        ...tagsFor(child.tags, 'in'),
        selector: back,
        priority: policyPriority(back),
        templates: [template(child.remoteAddress, child.localAddress)],
      });
    }
  }
  for (const sel of outs) {
    policies.push({
      dir: 'out',
      ...tagsFor(child.tags, 'out'),
      selector: sel,
      priority: policyPriority(sel),
      templates: [template(child.localAddress, child.remoteAddress)],
    });
  }
  return policies;
}

export function installPlan(child: ChildSaParams, withPolicies = true, withOutbound = true): KernelPlan {
  const { inbound, outbound } = saSpecs(child);
  return {
    install: [
      { op: 'update-sa', sa: inbound },
      ...(withOutbound ? [{ op: 'add-sa' as const, sa: outbound }] : []),
      ...(withPolicies ? policySpecs(child).map((policy) => ({ op: 'add-policy' as const, policy })) : []),
    ],
  };
}
