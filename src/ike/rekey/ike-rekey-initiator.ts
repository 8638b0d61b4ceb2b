// Rekeying the IKE SA, initiator side (RFC 7296 §1.3.2, §2.18):
//
//   HDR, SK {SA, Ni, KEi}  -->  <--  HDR, SK {SA, Nr, KEr}
//
// The SA payload carries our new IKE SPI; the answer carries the peer's.
// The new IKE SA (we are its initiator) is keyed from the old SK_d and
// the fresh g^ir, takes over the CHILD SAs, and the old one is then
// deleted with a Delete sent under its own keys.

import { createKeyExchange, type KeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { TransformType } from '../../wire/iana/transforms.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import { effect, type Effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { firstOf, formatProposal, type Proposal } from '../proposal.js';
import { acceptChosen } from '../proposal-select.js';
import { protectedRequest, protectedResponse } from '../protection.js';
import type { Successor } from '../tasks/ike-rekey.js';
import { notify, type Failure, type TaskEnv } from '../tasks/task.js';
import { proposalsFromWire, proposalsToWire } from '../wire-adapt.js';

export interface IkeRekeyPending {
  spiI: Buffer;
  nonceI: Buffer;
  proposals: Proposal[];
  ke: KeyExchange;
}

export function buildIkeRekey(sa: IkeSaData, env: TaskEnv, newSpiI: Buffer): { effects: Effect[]; pending: IkeRekeyPending } | Failure {
  const conn = sa.conn!;
  const proposals = conn.ikeProposals.map((p, i) => ({ ...p, number: i + 1, spi: newSpiI }));
  // The group the IKE SA already uses is the one the peer surely accepts.
  const current = sa.ikeProposal ? firstOf(sa.ikeProposal, TransformType.KE)?.id : undefined;
  const group = current ?? (proposals[0] ? firstOf(proposals[0], TransformType.KE)?.id : undefined);
  if (group === undefined) return { code: 'NO_PROPOSAL_CHOSEN', message: `conn '${conn.name}' has no key exchange method to rekey the IKE SA with` };
  const made = createKeyExchange(group, { allowWeak: env.allowWeakGroups });
  if (!made.ok) return { code: made.error.code, message: made.error.message };
  const nonceI = env.random(32);
  const inner: Payload[] = [
    { type: PayloadType.SA, critical: false, proposals: proposalsToWire(proposals, newSpiI) },
    { type: PayloadType.NONCE, critical: false, data: nonceI },
    { type: PayloadType.KE, critical: false, group, data: Buffer.from(made.value.publicValue) },
  ];
  return {
    pending: { spiI: newSpiI, nonceI, proposals, ke: made.value },
    effects: [
      protectedRequest(sa, ExchangeType.CREATE_CHILD_SA, inner),
      effect.log(sa.id, 'info', `rekeying IKE SA of conn '${conn.name}'`),
    ],
  };
}

/** The peer's answer: what the successor IKE SA starts from, or why not. */
export function successorFromResponse(sa: IkeSaData, pending: IkeRekeyPending, payloads: readonly Payload[]): (Successor & { initiator: true }) | Failure {
  const peer = sa.remote.address;
  try {
    if (findNotify(payloads, NotifyType.TEMPORARY_FAILURE)) return { code: 'TEMPORARY_FAILURE', message: `peer ${peer} answered our IKE SA rekey with TEMPORARY_FAILURE` };
    const saPayload = findPayload(payloads, PayloadType.SA);
    const nonce = findPayload(payloads, PayloadType.NONCE);
    const keR = findPayload(payloads, PayloadType.KE);
    if (!saPayload || !nonce || !keR) return { code: 'IKE_REKEY_REFUSED', message: `peer ${peer} refused to rekey the IKE SA (no SA, Nr or KEr in its answer)` };
    const offered = proposalsFromWire(saPayload.proposals);
    const chosen = offered.length === 1 ? acceptChosen(pending.proposals, offered[0]!) : undefined;
    if (!chosen) return { code: 'NO_PROPOSAL_CHOSEN', message: `peer ${peer} chose an IKE proposal we did not offer: ${offered.map(formatProposal).join(', ')}` };
    if (chosen.spi.length !== 8) return { code: 'INVALID_SYNTAX', message: `peer ${peer} answered the IKE SA rekey with a ${chosen.spi.length}-octet SPI` };
    if (firstOf(chosen, TransformType.KE)?.id !== keR.group) return { code: 'INVALID_KE_PAYLOAD', message: `peer ${peer} answered the IKE SA rekey with a KE of another group` };
    const shared = pending.ke.computeSharedSecret(keR.data);
    if (!shared.ok) return { code: shared.error.code, message: shared.error.message };
    return {
      initiator: true,
      spiI: pending.spiI,
      spiR: Buffer.from(chosen.spi),
      proposal: { ...chosen, spi: new Uint8Array(0) },
      nonceI: pending.nonceI,
      nonceR: Buffer.from(nonce.data),
      sharedSecret: shared.value,
    };
  } finally {
    pending.ke.dispose();
  }
}

/**
 * A CREATE_CHILD_SA that crosses a rekey of ours (§2.25.2): their IKE SA
 * rekey while any rekey of ours is in flight, or any CHILD SA request
 * while our IKE SA rekey is. Refused; the refused side tries again later.
 */
export function refuseWhileRekeying(sa: IkeSaData, messageId: number, what: string): Effect[] {
  const bytes = protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, [notify(NotifyType.TEMPORARY_FAILURE)]);
  return [
    { kind: 'send-response', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [bytes] },
    effect.log(sa.id, 'info', `peer ${sa.remote.address} asked for ${what} while we rekey: answered TEMPORARY_FAILURE`),
  ];
}
