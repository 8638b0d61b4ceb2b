// One-line explanations for the failures admins hit most: proposals that do
// not match, and a PSK that differs between the two sides. Each names what
// both sides said (as far as we know it) so the fix is obvious from the log
// or from `ipsec up`, and never prints secret material.

import { transformName, TransformType } from '../wire/iana/transforms.js';
import { formatProposals, type Proposal, type SaProtocol } from './proposal.js';
import { formatTsList, type TrafficSelector } from './traffic-selectors.js';

const TYPE_NAMES: Record<number, string> = {
  [TransformType.ENCR]: 'encryption',
  [TransformType.PRF]: 'PRF',
  [TransformType.INTEG]: 'integrity',
  [TransformType.KE]: 'key exchange',
  [TransformType.ESN]: 'ESN',
};

const LABEL: Record<SaProtocol, string> = { ike: 'IKE', esp: 'ESP', ah: 'AH' };

/** Responder: nothing the peer offered is acceptable to the conn. */
export function explainNoProposal(
  protocol: SaProtocol,
  connName: string,
  offered: readonly Proposal[],
  accepted: readonly Proposal[],
  missing: readonly TransformType[],
): string {
  const hint = missing.length > 0 ? `; no common ${missing.map((t) => TYPE_NAMES[t] ?? String(t)).join(', ')}` : '';
  return `no acceptable ${LABEL[protocol]} proposal: peer offered ${formatProposals(offered)}, conn '${connName}' accepts ${formatProposals(accepted)}${hint}`;
}

/** Initiator: the responder answered NO_PROPOSAL_CHOSEN. */
export function explainProposalRejected(protocol: SaProtocol, connName: string, peer: string, sent: readonly Proposal[]): string {
  return `peer ${peer} rejected every ${LABEL[protocol]} proposal of conn '${connName}' (NO_PROPOSAL_CHOSEN): we offered ${formatProposals(sent)}; the peer's log names what it accepts`;
}

/**
 * Initiator: NO_PROPOSAL_CHOSEN for the CHILD SA inside IKE_AUTH. Peers
 * also send it when their kernel refused the SA they had agreed to, so the
 * line says both.
 */
export function explainChildRefused(protocol: SaProtocol, connName: string, peer: string, sent: readonly Proposal[]): string {
  return `peer ${peer} refused the CHILD SA of conn '${connName}' (NO_PROPOSAL_CHOSEN): no ${LABEL[protocol]} proposal acceptable, or the peer could not install it; we offered ${formatProposals(sent)}; the peer's log says which`;
}

/** Initiator: the responder asked for another KE group we cannot use. */
export function explainInvalidKe(connName: string, requested: number, sent: readonly Proposal[]): string {
  return `peer asked for key exchange ${transformName(TransformType.KE, requested)} (INVALID_KE_PAYLOAD), which conn '${connName}' does not allow: we offered ${formatProposals(sent)}`;
}

export function explainTsMismatch(connName: string, offeredLocal: readonly TrafficSelector[], offeredRemote: readonly TrafficSelector[], ours: { local: readonly TrafficSelector[]; remote: readonly TrafficSelector[] }): string {
  return `no acceptable traffic selectors (TS_UNACCEPTABLE): peer proposed ${formatTsList(offeredLocal)} === ${formatTsList(offeredRemote)}, conn '${connName}' allows ${formatTsList(ours.remote)} === ${formatTsList(ours.local)}`;
}

export interface AuthFacts {
  connName: string;
  peerAddress: string;
  peerId: string;
  localId: string;
}

/** Responder: the initiator's PSK AUTH did not verify. */
export function explainPskMismatch(f: AuthFacts): string {
  return `AUTHENTICATION_FAILED: peer '${f.peerId}' (${f.peerAddress}) sent a pre-shared key AUTH that does not match ours for conn '${f.connName}' (local ID '${f.localId}'); the PSKs on the two sides differ`;
}

/** Initiator: our PSK was refused by the responder. */
export function explainAuthRejected(f: AuthFacts, method: string): string {
  return `AUTHENTICATION_FAILED: peer ${f.peerAddress} rejected our ${method} authentication as '${f.localId}' for conn '${f.connName}'; check that both sides use the same ${method === 'PSK' ? 'pre-shared key for these IDs' : 'trust anchors and IDs'} (see the peer's log)`;
}

/** Initiator: the responder's own AUTH did not verify. */
export function explainPeerAuthInvalid(f: AuthFacts, method: string): string {
  return `AUTHENTICATION_FAILED: ${method} AUTH of peer '${f.peerId}' (${f.peerAddress}) for conn '${f.connName}' does not verify; the PSKs on the two sides differ`;
}

export function explainNoSecret(connName: string, localId: string, peerId: string): string {
  return `no pre-shared key for '${localId}' - '${peerId}' (conn '${connName}'): add a PSK line for these IDs to ipsec.secrets`;
}
