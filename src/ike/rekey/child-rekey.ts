// Rekeying a CHILD SA, initiator side (RFC 7296 §1.3.3, §2.8):
//
//   HDR, SK {N(REKEY_SA), [N(USE_TRANSPORT_MODE)], SA, Ni, [KEi], TSi, TSr}  -->
//                <--  HDR, SK {[N(USE_TRANSPORT_MODE)], SA, Nr, [KEr], TSi, TSr}
//
// Make-before-break: the new pair is installed (inbound SA first, then
// the outbound one, which the kernel prefers for the shared reqid) with
// the policies left in place; only then is the old pair deleted, with a
// Delete to the peer. Keys come from this exchange's nonces and, when the
// proposal names a KE method, a fresh key exchange (PFS).

import { createKeyExchange, type KeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { ProtocolId } from '../../wire/iana/protocol-ids.js';
import { TransformType } from '../../wire/iana/transforms.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import type { ChildSaParams } from '../child-params.js';
import type { ChildSa } from '../child-sa.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { firstOf, formatProposal, type Proposal } from '../proposal.js';
import { acceptChosen } from '../proposal-select.js';
import { encodeProtected } from '../protection.js';
import { formatTsList, withinProposed } from '../traffic-selectors.js';
import { proposalsFromWire, proposalsToWire, spiFromBytes, spiToBytes, tsFromWire, tsToWire } from '../wire-adapt.js';
import { isChildFailure, params } from '../tasks/child-create.js';
import { notify, type Failure, type TaskEnv } from '../tasks/task.js';
import { effect, type Effect } from '../effects.js';

/** Our outstanding rekey of one CHILD SA, kept until the answer arrives. */
export interface ChildRekeyPending {
  oldChildId: number;
  newChildId: number;
  spiIn: number;
  proposals: Proposal[];
  nonceI: Buffer;
  ke?: KeyExchange;
}

/** What is known about rekeys of one CHILD SA (for the collision rule). */
export interface ChildRekeyMarks {
  /** We rekey it: our exchange's nonces once it completed. */
  ours?: { nonceI: Uint8Array; nonceR?: Uint8Array; newChildId?: number };
  /** The peer rekeyed it and we answered. */
  theirs?: { nonceI: Uint8Array; nonceR: Uint8Array; newChildId: number };
}

export function buildChildRekey(sa: IkeSaData, env: TaskEnv, old: ChildSa, spiIn: number): { effects: Effect[]; pending: ChildRekeyPending } | Failure {
  const conn = sa.conn!;
  const proposals = conn.childProposals.map((p, i) => ({ ...p, number: i + 1, spi: spiToBytes(spiIn) }));
  const group = proposals[0] ? firstOf(proposals[0], TransformType.KE)?.id : undefined;
  let ke: KeyExchange | undefined;
  if (group !== undefined && group !== 0) {
    const made = createKeyExchange(group, { allowWeak: env.allowWeakGroups });
    if (!made.ok) return { code: made.error.code, message: made.error.message };
    ke = made.value;
  }
  const nonceI = env.random(32);
  const protocolId = old.params.protocol === 'ah' ? ProtocolId.AH : ProtocolId.ESP;
  const inner: Payload[] = [notify(NotifyType.REKEY_SA, new Uint8Array(0), protocolId, spiToBytes(old.params.spiIn))];
  if (old.params.mode === 'transport') inner.push(notify(NotifyType.USE_TRANSPORT_MODE));
  inner.push(
    { type: PayloadType.SA, critical: false, proposals: proposalsToWire(proposals, spiToBytes(spiIn)) },
    { type: PayloadType.NONCE, critical: false, data: nonceI },
    ...(ke && group ? [{ type: PayloadType.KE, critical: false, group, data: Buffer.from(ke.publicValue) } as Payload] : []),
    { type: PayloadType.TSi, critical: false, selectors: tsToWire(old.params.localTs) },
    { type: PayloadType.TSr, critical: false, selectors: tsToWire(old.params.remoteTs) },
  );
  const messageId = sa.requests.allocate();
  const bytes = encodeProtected(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.CREATE_CHILD_SA, messageId, initiator: sa.initiator, response: false },
    inner,
    sa.skOut!,
  );
  const pending: ChildRekeyPending = { oldChildId: old.id, newChildId: env.nextChildId(), spiIn, proposals, nonceI, ...(ke ? { ke } : {}) };
  return {
    pending,
    effects: [
      { kind: 'send-request', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [bytes] },
      effect.log(sa.id, 'info', `rekeying CHILD SA ${old.params.spiIn.toString(16).padStart(8, '0')} of conn '${conn.name}'`),
    ],
  };
}

const REFUSALS: [number, string][] = [
  [NotifyType.NO_PROPOSAL_CHOSEN, 'NO_PROPOSAL_CHOSEN'],
  [NotifyType.TS_UNACCEPTABLE, 'TS_UNACCEPTABLE'],
  [NotifyType.TEMPORARY_FAILURE, 'TEMPORARY_FAILURE'],
  [NotifyType.CHILD_SA_NOT_FOUND, 'CHILD_SA_NOT_FOUND'],
  [NotifyType.NO_ADDITIONAL_SAS, 'NO_ADDITIONAL_SAS'],
  [NotifyType.INVALID_KE_PAYLOAD, 'INVALID_KE_PAYLOAD'],
  [NotifyType.INVALID_SYNTAX, 'INVALID_SYNTAX'],
];

/** The peer's answer: the new pair's parameters, or why there is none. */
export function childFromRekeyResponse(sa: IkeSaData, env: TaskEnv, pending: ChildRekeyPending, old: ChildSa, payloads: readonly Payload[]): { child: ChildSaParams; nonceR: Uint8Array } | Failure {
  const conn = sa.conn!;
  const peer = sa.remote.address;
  try {
    for (const [type, code] of REFUSALS) {
      if (findNotify(payloads, type)) return { code, message: `peer ${peer} refused to rekey CHILD SA ${old.params.spiIn.toString(16).padStart(8, '0')} of conn '${conn.name}' (${code})` };
    }
    const saPayload = findPayload(payloads, PayloadType.SA);
    const nonce = findPayload(payloads, PayloadType.NONCE);
    const tsi = findPayload(payloads, PayloadType.TSi);
    const tsr = findPayload(payloads, PayloadType.TSr);
    if (!saPayload || !nonce || !tsi || !tsr) return { code: 'INVALID_SYNTAX', message: `CREATE_CHILD_SA response from ${peer} lacks SA, Nr, TSi or TSr` };
    const offered = proposalsFromWire(saPayload.proposals);
    const chosen = offered.length === 1 ? acceptChosen(pending.proposals, offered[0]!) : undefined;
    if (!chosen) return { code: 'NO_PROPOSAL_CHOSEN', message: `peer ${peer} chose a CHILD SA proposal we did not offer: ${offered.map(formatProposal).join(', ')}` };
    const spiOut = spiFromBytes(chosen.spi);
    if (spiOut <= 0) return { code: 'INVALID_SYNTAX', message: `peer ${peer} sent a CHILD SA SPI of ${chosen.spi.length} octets` };
    const localTs = tsFromWire(tsi.selectors);
    const remoteTs = tsFromWire(tsr.selectors);
    if (!withinProposed(old.params.localTs, localTs) || !withinProposed(old.params.remoteTs, remoteTs)) {
      return { code: 'TS_UNACCEPTABLE', message: `peer ${peer} answered the rekey with traffic selectors ${formatTsList(localTs)} === ${formatTsList(remoteTs)} outside the old CHILD SA's` };
    }
    let sharedSecret: Buffer | undefined;
    const group = firstOf(chosen, TransformType.KE)?.id;
    if (group !== undefined && group !== 0) {
      const keR = findPayload(payloads, PayloadType.KE);
      if (!pending.ke || !keR || keR.group !== group) return { code: 'INVALID_KE_PAYLOAD', message: `peer ${peer} answered the rekey without the KE payload its proposal needs` };
      const shared = pending.ke.computeSharedSecret(keR.data);
      if (!shared.ok) return { code: shared.error.code, message: shared.error.message };
      sharedSecret = shared.value;
    }
    const child = params(
      sa,
      env,
      { childId: pending.newChildId, conn, proposal: chosen, spiIn: pending.spiIn, spiOut, mode: old.params.mode, localTs, remoteTs },
      { weInitiated: true, nonceI: pending.nonceI, nonceR: nonce.data, ...(sharedSecret ? { sharedSecret } : {}) },
    );
    sharedSecret?.fill(0);
    if (isChildFailure(child)) return child;
    return { child, nonceR: nonce.data };
  } finally {
    pending.ke?.dispose();
  }
}

export function isRekeyFailure(x: { child: ChildSaParams; nonceR: Uint8Array } | Failure): x is Failure {
  return 'code' in x && !('child' in x);
}

/**
 * After a rekey of ours completed: which CHILD SA we delete now. Without a
 * collision that is the old one; with one, the nonce rule decides.
 */
export function afterOurRekey(old: ChildSa, marks: ChildRekeyMarks, ourNew: number, loses: boolean): { deleteChildId: number; why: string } {
  if (!marks.theirs) return { deleteChildId: old.id, why: 'rekeyed' };
  return loses
    ? { deleteChildId: ourNew, why: 'rekey collision lost (lowest nonce in our exchange)' }
    : { deleteChildId: old.id, why: 'rekey collision won' };
}
