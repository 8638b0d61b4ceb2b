// Which conn answers a peer, chosen the way a responder must: first by
// addresses (IKE_SA_INIT carries nothing else), then, once IKE_AUTH
// reveals them, by identities and traffic selectors. Each step ranks
// exact matches above subnets above %any, and keeps config order for ties.

import type { IkeConn } from './conn.js';
import { idMatchScore, type Identity } from './identity.js';
import { cidrToRange, familyOf, parseIp } from './ip.js';
import { matchProposal } from './proposal-select.js';
import type { Proposal } from './proposal.js';
import { narrow, type TrafficSelector } from './traffic-selectors.js';

/** -1 no match, 1 %any, 2 inside a configured subnet, 3 exact. */
export function addressScore(configured: string, actual: string): number {
  if (configured === '%any' || configured === '' || configured === '%any4' || configured === '%any6') {
    if (configured === '%any4' && familyOf(actual) !== 4) return -1;
    if (configured === '%any6' && familyOf(actual) !== 6) return -1;
    return 1;
  }
  if (configured.includes('/')) {
    const r = cidrToRange(configured);
    const a = parseIp(actual);
    return a.family === r.family && a.value >= r.start && a.value <= r.end ? 2 : -1;
  }
  if (familyOf(configured) === undefined) return -1; // unresolved hostname
  const c = parseIp(configured);
  const a = parseIp(actual);
  return c.family === a.family && c.value === a.value ? 3 : -1;
}

export interface Ranked {
  conn: IkeConn;
  score: number;
}

/** IKE_SA_INIT: conns whose addresses fit, best first. */
export function connsByAddress(conns: readonly IkeConn[], local: string, remote: string): Ranked[] {
  const ranked: Ranked[] = [];
  for (const conn of conns) {
    if (conn.auto === 'ignore') continue;
    const l = addressScore(conn.localAddress, local);
    const r = addressScore(conn.remoteAddress, remote);
    if (l < 0 || r < 0) continue;
    ranked.push({ conn, score: r * 4 + l });
  }
  return ranked.sort((a, b) => b.score - a.score);
}

export interface AuthLookup {
  local: string;
  remote: string;
  peerId: Identity;
  /** IDr if the initiator named whom it wants to talk to. */
  wantedId?: Identity;
  /** The IKE proposal already agreed in IKE_SA_INIT. */
  ikeProposal: Proposal;
  tsi: TrafficSelector[];
  tsr: TrafficSelector[];
}

export type AuthLookupResult =
  | { ok: true; conn: IkeConn }
  | { ok: false; reason: string };

/** IKE_AUTH: the best conn for the peer's ID and selectors. */
export function connForAuth(conns: readonly IkeConn[], q: AuthLookup): AuthLookupResult {
  const byAddr = connsByAddress(conns, q.local, q.remote);
  let best: { conn: IkeConn; score: number } | undefined;
  const rejected: string[] = [];
  for (const { conn, score } of byAddr) {
    const peer = idMatchScore(conn.remoteId, q.peerId);
    if (peer < 0) {
      rejected.push(`'${conn.name}' expects peer ID '${idText(conn.remoteId)}'`);
      continue;
    }
    const us = q.wantedId ? idMatchScore(conn.localId, q.wantedId) : 0;
    if (us < 0 && conn.localId.type !== 'any') {
      rejected.push(`'${conn.name}' is '${idText(conn.localId)}', peer asked for '${idText(q.wantedId!)}'`);
      continue;
    }
    if (!conn.ikeProposals.some((p) => matchProposal(p, q.ikeProposal).ok)) {
      rejected.push(`'${conn.name}' does not allow the IKE proposal already agreed`);
      continue;
    }
    const tsFits = narrow(q.tsi, remoteTsOf(conn, q.remote)).length > 0 && narrow(q.tsr, localTsOf(conn, q.local)).length > 0;
    const total = peer * 1000 + Math.max(us, 0) * 100 + (tsFits ? 10 : 0) + score;
    if (!best || total > best.score) best = { conn, score: total };
  }
  if (best) return { ok: true, conn: best.conn };
  const who = `peer '${idText(q.peerId)}' (${q.remote})`;
  if (byAddr.length === 0) return { ok: false, reason: `no conn for ${who} on ${q.local}` };
  return { ok: false, reason: `no conn accepts ${who}: ${rejected.join('; ')}` };
}

function idText(id: Identity): string {
  return id.type === 'any' ? '%any' : id.value;
}

function hostTs(address: string, pp?: { protocol: number; port?: number }): TrafficSelector {
  const port = pp?.port;
  return {
    protocol: pp?.protocol ?? 0,
    startPort: port ?? 0,
    endPort: port ?? 65535,
    startAddress: address,
    endAddress: address,
  };
}

/** leftsubnet, or our own address for host-to-host. */
export function localTsOf(conn: IkeConn, localAddress: string): TrafficSelector[] {
  return conn.localTs.length > 0 ? conn.localTs : [hostTs(localAddress, conn.localProtoPort)];
}

export function remoteTsOf(conn: IkeConn, remoteAddress: string): TrafficSelector[] {
  return conn.remoteTs.length > 0 ? conn.remoteTs : [hostTs(remoteAddress, conn.remoteProtoPort)];
}
