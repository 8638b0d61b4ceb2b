// The first CHILD SA, negotiated inside IKE_AUTH (RFC 7296 §1.2, §2.9,
// §2.17, §3.3, §3.13): SA with our inbound SPI, TSi, TSr, and
// N(USE_TRANSPORT_MODE) for transport mode (§1.3.1). Both roles end with
// a ChildSaParams: everything the kernel needs to install the pair.

import { deriveChildSaKeys } from '../../crypto/child-sa-keys.js';
import { resolveCipherSuite, type CipherSuite } from '../../crypto/registry/index.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { ESN, TransformType } from '../../wire/iana/transforms.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import type { SaPayload } from '../../wire/payloads/sa.js';
import type { TsPayload } from '../../wire/payloads/traffic-selector.js';
import type { ChildKeys, ChildSaParams, TrafficSelector } from '../child-params.js';
import type { IkeConn } from '../conn.js';
import { localTsOf, remoteTsOf } from '../conn-lookup.js';
import { explainChildRefused, explainNoProposal, explainTsMismatch } from '../explain.js';
import type { IkeSaData, PendingChild } from '../ike-sa-data.js';
import { firstOf, formatProposal, type Proposal } from '../proposal.js';
import { acceptChosen, selectProposal } from '../proposal-select.js';
import { formatTsList, narrow, withinProposed } from '../traffic-selectors.js';
import { proposalsFromWire, proposalsToWire, proposalToWire, spiFromBytes, spiToBytes, tsFromWire, tsToWire } from '../wire-adapt.js';
import { notify, type Failure, type TaskEnv } from './task.js';
import { kernelLifetime } from '../rekey/schedule.js';
import { ahChildKeys } from '../ah-keys.js';
import { AH_NAT_CODE, explainAhNat, forcesEncapsulation } from '../nat/nat-rules.js';

const DEFAULT_REPLAY_WINDOW = 32;

function suiteOf(p: Proposal): CipherSuite | string {
  const encr = firstOf(p, TransformType.ENCR);
  if (!encr) return 'proposal has no ENCR transform';
  const integ = firstOf(p, TransformType.INTEG);
  const suite = resolveCipherSuite(encr.keyLength === undefined ? { id: encr.id } : { id: encr.id, keyLength: encr.keyLength }, integ?.id);
  return suite.ok ? suite.value : suite.error.message;
}

function childKeys(suite: CipherSuite, encryptionKey: Buffer, integrityKey: Buffer): ChildKeys {
  const xfrm = suite.encr.algorithm.xfrm;
  const keys: ChildKeys = {
    encryption: xfrm.kind === 'aead' ? { xfrmName: xfrm.name, key: encryptionKey, icvBits: xfrm.icvBits! } : { xfrmName: xfrm.name, key: encryptionKey },
  };
  if (suite.integ) keys.integrity = { xfrmName: suite.integ.xfrm.name, key: integrityKey, truncBits: suite.integ.xfrm.truncBits };
  return keys;
}

export interface Negotiated {
  childId: number;
  conn: IkeConn;
  proposal: Proposal;
  spiIn: number;
  spiOut: number;
  mode: 'tunnel' | 'transport';
  localTs: ChildSaParams['localTs'];
  remoteTs: ChildSaParams['remoteTs'];
}

/** The nonces and optional g^ir of the exchange that creates the CHILD SA (§2.17). */
export interface Keying {
  /** We sent the request of this exchange (not necessarily the IKE SA's initiator). */
  weInitiated: boolean;
  nonceI: Uint8Array;
  nonceR: Uint8Array;
  sharedSecret?: Uint8Array;
}

export function params(sa: IkeSaData, env: TaskEnv, n: Negotiated, keying?: Keying): ChildSaParams | Failure {
  const k: Keying = keying ?? { weInitiated: sa.initiator, nonceI: sa.nonceI!, nonceR: sa.nonceR! };
  if (n.proposal.protocol === 'ah') {
    if (sa.natLocal || sa.natRemote) {
      return { code: AH_NAT_CODE, message: explainAhNat(n.conn.name, sa.natLocal, sa.natRemote, forcesEncapsulation(n.conn)) };
    }
    const ah = ahChildKeys({ prf: sa.prf!, skD: sa.keys!.skD, proposal: n.proposal, ...k });
    if (typeof ah === 'string') return { code: 'NO_PROPOSAL_CHOSEN', message: ah };
    return paramsWithKeys(sa, env, n, ah.inbound, ah.outbound);
  }
  const suite = suiteOf(n.proposal);
  if (typeof suite === 'string') return { code: 'NO_PROPOSAL_CHOSEN', message: suite };
  const keys = deriveChildSaKeys({
    prf: sa.prf!,
    skD: sa.keys!.skD,
    suite,
    nonceI: k.nonceI,
    nonceR: k.nonceR,
    ...(k.sharedSecret ? { sharedSecret: k.sharedSecret } : {}),
  });
  if (!keys.ok) return { code: keys.error.code, message: keys.error.message };
  const { initiatorToResponder: iToR, responderToInitiator: rToI } = keys.value;
  const [inbound, outbound] = k.weInitiated ? [rToI, iToR] : [iToR, rToI];
  return paramsWithKeys(sa, env, n, childKeys(suite, inbound.encryptionKey, inbound.integrityKey), childKeys(suite, outbound.encryptionKey, outbound.integrityKey));
}

function paramsWithKeys(sa: IkeSaData, env: TaskEnv, n: Negotiated, inbound: ChildKeys, outbound: ChildKeys): ChildSaParams {
  const p: ChildSaParams = {
    childId: n.childId,
    connName: n.conn.name,
    reqid: env.reqidFor(n.conn),
    protocol: n.proposal.protocol === 'ah' ? 'ah' : 'esp',
    mode: n.mode,
    localAddress: sa.local.address,
    remoteAddress: sa.remote.address,
    spiIn: n.spiIn,
    spiOut: n.spiOut,
    inbound,
    outbound,
    esn: firstOf(n.proposal, TransformType.ESN)?.id === ESN.ESN,
    replayWindow: n.conn.replayWindow ?? DEFAULT_REPLAY_WINDOW,
    localTs: n.localTs,
    remoteTs: n.remoteTs,
    // Forwarding policies only matter when we route for a subnet behind us.
    forward: n.mode === 'tunnel' && n.conn.localTs.length > 0,
    proposal: formatProposal(n.proposal),
  };
  const lifetime = kernelLifetime(n.conn, env.random);
  if (lifetime) p.lifetime = lifetime;
  if (n.conn.tags) p.tags = n.conn.tags;
  if (sa.natLocal || sa.natRemote) p.encap = { localPort: sa.local.port, remotePort: sa.remote.port };
  return p;
}

function isFailure(x: ChildSaParams | Failure): x is Failure {
  return 'code' in x && 'message' in x && !('childId' in x);
}

// ---------------------------------------------------------------- initiator

export function childRequest(sa: IkeSaData, env: TaskEnv, spiIn: number): { payloads: Payload[]; pending: PendingChild } {
  const conn = sa.conn!;
  const pending: PendingChild = {
    childId: env.nextChildId(),
    spiIn,
    proposals: conn.childProposals.map((p, i) => ({ ...p, number: i + 1, spi: spiToBytes(spiIn) })),
    localTs: localTsOf(conn, sa.local.address),
    remoteTs: remoteTsOf(conn, sa.remote.address),
    mode: conn.mode,
  };
  const payloads: Payload[] = [];
  if (conn.mode === 'transport') payloads.push(notify(NotifyType.USE_TRANSPORT_MODE));
  payloads.push(
    { type: PayloadType.SA, critical: false, proposals: proposalsToWire(pending.proposals, spiToBytes(spiIn)) },
    { type: PayloadType.TSi, critical: false, selectors: tsToWire(pending.localTs) },
    { type: PayloadType.TSr, critical: false, selectors: tsToWire(pending.remoteTs) },
  );
  return { payloads, pending };
}

const CHILD_ERRORS = [
  NotifyType.NO_PROPOSAL_CHOSEN,
  NotifyType.TS_UNACCEPTABLE,
  NotifyType.SINGLE_PAIR_REQUIRED,
  NotifyType.INTERNAL_ADDRESS_FAILURE,
  NotifyType.FAILED_CP_REQUIRED,
  NotifyType.INVALID_SELECTORS,
];

/**
 * The peer's answer for a CHILD SA we asked for (IKE_AUTH or
 * CREATE_CHILD_SA): the one proposal it chose must be one we offered, its
 * SPI usable, and its selectors within ours. `what` names the request in
 * the failure texts.
 */
export function acceptChildAnswer(
  offer: { proposals: readonly Proposal[]; localTs: TrafficSelector[]; remoteTs: TrafficSelector[] },
  answer: { sa: SaPayload; tsi: TsPayload; tsr: TsPayload },
  peer: string,
  what: string,
  options: { ignoreKe?: boolean } = {},
): { chosen: Proposal; spiOut: number; localTs: TrafficSelector[]; remoteTs: TrafficSelector[] } | Failure {
  const offered = proposalsFromWire(answer.sa.proposals);
  const chosen = offered.length === 1 ? acceptChosen([...offer.proposals], offered[0]!, options) : undefined;
  if (!chosen) return { code: 'NO_PROPOSAL_CHOSEN', message: `peer ${peer} chose a CHILD SA proposal we did not offer: ${offered.map(formatProposal).join(', ')}` };
  const spiOut = spiFromBytes(chosen.spi);
  if (spiOut <= 0) return { code: 'INVALID_SYNTAX', message: `peer ${peer} sent a CHILD SA SPI of ${chosen.spi.length} octets` };
  const localTs = tsFromWire(answer.tsi.selectors);
  const remoteTs = tsFromWire(answer.tsr.selectors);
  if (!withinProposed(offer.localTs, localTs) || !withinProposed(offer.remoteTs, remoteTs)) {
    return { code: 'TS_UNACCEPTABLE', message: `peer ${peer} answered ${what} with traffic selectors ${formatTsList(localTs)} === ${formatTsList(remoteTs)} outside those proposed` };
  }
  return { chosen, spiOut, localTs, remoteTs };
}

export function childFromResponse(sa: IkeSaData, env: TaskEnv, pending: PendingChild, payloads: readonly Payload[]): ChildSaParams | Failure {
  const conn = sa.conn!;
  const peer = sa.remote.address;
  for (const type of CHILD_ERRORS) {
    if (!findNotify(payloads, type)) continue;
    if (type === NotifyType.NO_PROPOSAL_CHOSEN) {
      return { code: 'NO_PROPOSAL_CHOSEN', message: explainChildRefused(pending.proposals[0]?.protocol ?? 'esp', conn.name, peer, pending.proposals) };
    }
    if (type === NotifyType.TS_UNACCEPTABLE) {
      return { code: 'TS_UNACCEPTABLE', message: `peer ${peer} refused traffic selectors ${formatTsList(pending.localTs)} === ${formatTsList(pending.remoteTs)} of conn '${conn.name}' (TS_UNACCEPTABLE)` };
    }
    const name = Object.entries(NotifyType).find(([, v]) => v === type)?.[0] ?? String(type);
    return { code: name, message: `peer ${peer} refused the CHILD SA of conn '${conn.name}' with ${name}` };
  }
  const saPayload = findPayload(payloads, PayloadType.SA);
  const tsi = findPayload(payloads, PayloadType.TSi);
  const tsr = findPayload(payloads, PayloadType.TSr);
  if (!saPayload || !tsi || !tsr) return { code: 'INVALID_SYNTAX', message: `IKE_AUTH response from ${peer} lacks SA, TSi or TSr` };
  const accepted = acceptChildAnswer(pending, { sa: saPayload, tsi, tsr }, peer, `the IKE_AUTH of conn '${conn.name}'`, { ignoreKe: true });
  if ('code' in accepted) return accepted;
  const { chosen, spiOut, localTs, remoteTs } = accepted;
  const transport = findNotify(payloads, NotifyType.USE_TRANSPORT_MODE) !== undefined;
  if (pending.mode === 'transport' && !transport) {
    return { code: 'MODE_MISMATCH', message: `peer ${peer} refused transport mode for conn '${conn.name}' (no USE_TRANSPORT_MODE in its answer)` };
  }
  const result = params(sa, env, { childId: pending.childId, conn, proposal: chosen, spiIn: pending.spiIn, spiOut, mode: pending.mode, localTs, remoteTs });
  return result;
}

// ---------------------------------------------------------------- responder

export interface ChildAnswer {
  /** Payloads for the response: SA, TSi, TSr (+ mode), or one error notify. */
  payloads: Payload[];
  child?: ChildSaParams;
  failure?: Failure;
}

export function childAnswer(sa: IkeSaData, env: TaskEnv, conn: IkeConn, payloads: readonly Payload[], spiIn: number): ChildAnswer {
  const saPayload = findPayload(payloads, PayloadType.SA)!;
  const tsi = tsFromWire(findPayload(payloads, PayloadType.TSi)?.selectors ?? []);
  const tsr = tsFromWire(findPayload(payloads, PayloadType.TSr)?.selectors ?? []);
  const offered = proposalsFromWire(saPayload.proposals).filter((p) => p.protocol !== 'ike');
  const selection = selectProposal(conn.childProposals, offered, { ignoreKe: true });
  if (!selection.selected) {
    const message = explainNoProposal(offered[0]?.protocol ?? 'esp', conn.name, offered, conn.childProposals, selection.closestMissing);
    return { payloads: [notify(NotifyType.NO_PROPOSAL_CHOSEN)], failure: { code: 'NO_PROPOSAL_CHOSEN', message } };
  }
  const ours = { local: localTsOf(conn, sa.local.address), remote: remoteTsOf(conn, sa.remote.address) };
  const remoteTs = narrow(tsi, ours.remote);
  const localTs = narrow(tsr, ours.local);
  if (remoteTs.length === 0 || localTs.length === 0) {
    return { payloads: [notify(NotifyType.TS_UNACCEPTABLE)], failure: { code: 'TS_UNACCEPTABLE', message: explainTsMismatch(conn.name, tsi, tsr, ours) } };
  }
  const wantsTransport = findNotify(payloads, NotifyType.USE_TRANSPORT_MODE) !== undefined;
  const mode = wantsTransport && conn.mode === 'transport' ? 'transport' : 'tunnel';
  const chosen = selection.selected;
  const spiOut = spiFromBytes(chosen.spi);
  if (spiOut <= 0) return { payloads: [notify(NotifyType.INVALID_SYNTAX)], failure: { code: 'INVALID_SYNTAX', message: 'CHILD SA SPI is not 4 octets' } };
  const result = params(sa, env, { childId: env.nextChildId(), conn, proposal: chosen, spiIn, spiOut, mode, localTs, remoteTs });
  if (isFailure(result)) return { payloads: [notify(NotifyType.NO_PROPOSAL_CHOSEN)], failure: result };
  const out: Payload[] = [];
  if (mode === 'transport') out.push(notify(NotifyType.USE_TRANSPORT_MODE));
  out.push(
    { type: PayloadType.SA, critical: false, proposals: [proposalToWire(chosen, chosen.number, spiToBytes(spiIn))] },
    { type: PayloadType.TSi, critical: false, selectors: tsToWire(remoteTs) },
    { type: PayloadType.TSr, critical: false, selectors: tsToWire(localTs) },
  );
  return { payloads: out, child: result };
}

export { isFailure as isChildFailure };
