// The config model's ConnModel -> the IKE core's IkeConn. Everything the
// core does not need (syntax, file positions, features it does not
// negotiate yet) stays behind; proposal sets become typed transforms, with
// the default proposals appended unless the admin ended the list in `!`.

import { retransmitBudget, type RetransmitPolicy } from './retransmit-policy.js';
import { defaultProposals, type Proposal as ConfigProposal, type ProposalSet } from '../config/proposals.js';
import type { ConnModel, EndModel, HostSpec } from '../config/model.js';
import { TransformType } from '../wire/iana/transforms.js';
import type { AuthMethodName, IkeConn } from './conn.js';
import { ANY_ID, parseIdentity } from './identity.js';
import { formatProposal, type Proposal, type Transform } from './proposal.js';
import { tsFromCidr, type TrafficSelector } from './traffic-selectors.js';
import type { XfrmTags } from './child-params.js';

function hostText(host: HostSpec): string {
  switch (host.kind) {
    case 'address':
      return host.address;
    case 'hostname':
      return host.name; // resolved by the daemon before load; unresolved names match nothing
    case 'any':
      return host.family === 4 ? '%any4' : host.family === 6 ? '%any6' : '%any';
    default:
      return '%any';
  }
}

function proposalFromConfig(p: ConfigProposal, protocol: Proposal['protocol']): Proposal {
  const transforms: Transform[] = [];
  for (const e of p.encr) transforms.push(e.keyLength === undefined ? { type: TransformType.ENCR, id: e.id } : { type: TransformType.ENCR, id: e.id, keyLength: e.keyLength });
  for (const id of p.integ) transforms.push({ type: TransformType.INTEG, id });
  for (const id of p.prf) transforms.push({ type: TransformType.PRF, id });
  for (const id of p.ke) transforms.push({ type: TransformType.KE, id });
  for (const id of p.esn) transforms.push({ type: TransformType.ESN, id });
  return { number: 0, protocol, spi: new Uint8Array(0), transforms };
}

export function proposalsFromConfig(set: ProposalSet): Proposal[] {
  const list = set.proposals.map((p) => proposalFromConfig(p, set.protocol));
  if (!set.strict) {
    const seen = new Set(list.map(formatProposal));
    for (const p of defaultProposals(set.protocol).proposals) {
      const converted = proposalFromConfig(p, set.protocol);
      if (!seen.has(formatProposal(converted))) list.push(converted);
    }
  }
  return list.map((p, i) => ({ ...p, number: i + 1 }));
}

/**
 * pfs=no (Libreswan): CHILD SAs made or rekeyed with CREATE_CHILD_SA carry
 * no key exchange of their own, whatever group esp= names.
 */
function withoutKeyExchange(proposals: Proposal[]): Proposal[] {
  const seen = new Set<string>();
  const out: Proposal[] = [];
  for (const p of proposals) {
    const stripped = { ...p, transforms: p.transforms.filter((t) => t.type !== TransformType.KE) };
    const key = formatProposal(stripped);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(stripped);
    }
  }
  return out.map((p, i) => ({ ...p, number: i + 1 }));
}

/** mark/mark_in/mark_out and if_id/if_id_in/if_id_out; %unique marks are not supported (the check warns). */
function xfrmTags(c: ConnModel): XfrmTags | undefined {
  const mark = (m: ConnModel['markIn']) => (m && !m.unique ? { value: m.value >>> 0, mask: m.mask >>> 0 } : undefined);
  const tags: XfrmTags = {};
  const [markIn, markOut] = [mark(c.markIn), mark(c.markOut)];
  if (markIn) tags.markIn = markIn;
  if (markOut) tags.markOut = markOut;
  // Interface ID 0 is none (if_id=%unique reads as 0).
  if (c.ifIdIn) tags.ifIdIn = c.ifIdIn;
  if (c.ifIdOut) tags.ifIdOut = c.ifIdOut;
  return Object.keys(tags).length > 0 ? tags : undefined;
}

function selectors(end: EndModel): { ts: TrafficSelector[]; protoPort?: { protocol: number; port?: number } } {
  const ts: TrafficSelector[] = [];
  let protoPort: { protocol: number; port?: number } | undefined;
  for (const s of end.subnets) {
    const port = s.port && s.port.from === s.port.to ? s.port.from : undefined;
    if (s.cidr) {
      const t = tsFromCidr(s.cidr, s.protocol);
      if (s.port) {
        t.startPort = s.port.from;
        t.endPort = s.port.to;
      }
      ts.push(t);
    } else if (s.protocol || port !== undefined) {
      protoPort = port === undefined ? { protocol: s.protocol } : { protocol: s.protocol, port };
    }
  }
  return protoPort ? { ts, protoPort } : { ts };
}

function authOf(end: EndModel): AuthMethodName {
  return end.auth[0]?.method === 'psk' ? 'psk' : 'pubkey';
}

export function connFromConfig(c: ConnModel): IkeConn {
  const localAddress = hostText(c.local.host);
  const remoteAddress = hostText(c.remote.host);
  const local = selectors(c.local);
  const remote = selectors(c.remote);
  const defaultId = (address: string) => (address.startsWith('%') ? ANY_ID : parseIdentity(address));
  const conn: IkeConn = {
    name: c.name,
    localAddress,
    remoteAddress,
    localPort: c.local.ikePort,
    remotePort: c.remote.ikePort,
    localId: c.local.id ? parseIdentity(c.local.id) : c.local.cert ? ANY_ID : defaultId(localAddress),
    // With a pinned rightcert the certificate says who the peer is.
    remoteId: c.remote.id ? parseIdentity(c.remote.id) : c.remote.cert ? ANY_ID : defaultId(remoteAddress),
    localAuth: authOf(c.local),
    remoteAuth: authOf(c.remote),
    ikeProposals: proposalsFromConfig(c.ike),
    childProposals: c.pfs ? proposalsFromConfig(c.child) : withoutKeyExchange(proposalsFromConfig(c.child)),
    localTs: local.ts,
    remoteTs: remote.ts,
    mode: c.mode === 'transport' ? 'transport' : 'tunnel',
    keyingTries: c.keyingTries,
    lifetimeSeconds: c.lifetime,
    ...(c.inactivity > 0 ? { inactivitySeconds: c.inactivity } : {}),
    ...(c.lifeBytes > 0 ? { lifeBytes: c.lifeBytes, marginBytes: c.marginBytes } : {}),
    ...(c.lifePackets > 0 ? { lifePackets: c.lifePackets, marginPackets: c.marginPackets } : {}),
    ikeLifetimeSeconds: c.ikeLifetime,
    rekey: c.rekey,
    reauth: c.reauth,
    rekeyMarginSeconds: c.rekeyMargin,
    rekeyFuzzPercent: c.rekeyFuzz,
    dpdDelaySeconds: c.dpdDelay,
    dpdTimeoutSeconds: c.dpdTimeout,
    dpdAction: c.dpdAction,
    closeAction: c.closeAction,
    replayWindow: c.replayWindow,
    auto: c.auto,
  };
  if (c.local.host.kind === 'address' && c.local.host.resolvedFrom) conn.localHostName = c.local.host.resolvedFrom;
  if (c.remote.host.kind === 'address' && c.remote.host.resolvedFrom) conn.remoteHostName = c.remote.host.resolvedFrom;
  if (c.forceEncaps) conn.forceEncaps = true;
  if (c.neverEncaps) conn.neverEncaps = true;
  if (c.fragmentation !== 'yes') conn.fragmentation = c.fragmentation;
  if (c.retransmitInterval > 0 || c.retransmitTimeout > 0 || c.retransmitLimit > 0) {
    conn.retransmit = doublingRetransmits(c.retransmitInterval || 500, (c.retransmitTimeout || 60) * 1000, c.retransmitLimit * 1000 || undefined);
  }
  if (c.local.cert) conn.localCert = c.local.cert;
  if (c.remote.cert) conn.remoteCert = c.remote.cert;
  const tags = xfrmTags(c);
  if (tags) conn.tags = tags;
  if (c.remote.ca) conn.remoteCa = c.remote.ca.trim() === '%same' ? 'same' : parseIdentity(c.remote.ca);
  if (c.local.ca && c.local.ca.trim() !== '%same') conn.localCa = parseIdentity(c.local.ca);
  conn.sendCert = c.local.sendCert;
  if (c.local.updown !== undefined) conn.updown = c.local.updown;
  if (c.local.firewall) conn.firewall = true;
  if (c.local.hostAccess) conn.hostAccess = true;
  if (local.protoPort) conn.localProtoPort = local.protoPort;
  if (remote.protoPort) conn.remoteProtoPort = remote.protoPort;
  return conn;
}

/**
 * retransmit-interval / retransmit-timeout / retransmit-limit: the first
 * wait, doubled on each retransmit up to the limit, until the waits add up
 * to the total; the exchange is given up then. The bound on tries keeps a
 * tiny interval with a long timeout from making thousands of sends.
 */
export function doublingRetransmits(intervalMs: number, totalMs: number, maxWaitMs?: number): RetransmitPolicy {
  const policy: RetransmitPolicy = { timeoutMs: intervalMs, base: 2, tries: 0 };
  if (maxWaitMs !== undefined) policy.maxWaitMs = maxWaitMs;
  while (retransmitBudget(policy) < totalMs && policy.tries < 100) policy.tries++;
  return policy;
}
