// CREATE_CHILD_SA requests (RFC 7296 §1.3), responder side.
//
//   HDR, SK {[N(REKEY_SA)], [N(USE_TRANSPORT_MODE)], SA, Ni, [KEi], TSi, TSr}  -->
//                 <--  HDR, SK {[N(USE_TRANSPORT_MODE)], SA, Nr, [KEr], TSi, TSr}
//
// A CHILD SA rekey (or an additional CHILD SA of the same conn) is
// negotiated like the first one, with fresh nonces and, when the proposal
// carries a KE method, a fresh key exchange (PFS). The new pair is
// installed without policies: they are the conn's, already in place, and
// bind by reqid. The peer then deletes the old pair with INFORMATIONAL.
// Rekeying the IKE SA itself is answered in tasks/ike-rekey.ts.

import { createKeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { TransformType, transformName } from '../../wire/iana/transforms.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import { localTsOf, remoteTsOf } from '../conn-lookup.js';
import { effect } from '../effects.js';
import { explainNoProposal, explainTsMismatch } from '../explain.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { firstOf } from '../proposal.js';
import { selectProposal } from '../proposal-select.js';
import { protectedResponse } from '../protection.js';
import { narrow } from '../traffic-selectors.js';
import { proposalsFromWire, proposalToWire, spiFromBytes, spiToBytes, tsFromWire, tsToWire } from '../wire-adapt.js';
import { isChildFailure, params } from './child-create.js';
import { notify, u16, type TaskEnv, type TaskResult } from './task.js';

/** What the request asks for: an IKE SA rekey (refused) or a CHILD SA. */
export function createChildKind(payloads: readonly Payload[]): 'ike-rekey' | 'child' {
  const sa = findPayload(payloads, PayloadType.SA);
  return sa?.proposals.some((p) => p.protocolId === 1) ? 'ike-rekey' : 'child';
}

function refuse(sa: IkeSaData, messageId: number, type: number, why: string, data?: Uint8Array): TaskResult {
  return {
    effects: [
      { kind: 'send-response', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, [notify(type, data)])] },
      effect.log(sa.id, 'warn', why),
    ],
  };
}

/** A rekey of one of our CHILD SAs that we answered (for the collision rule, §2.8.1). */
export interface AnsweredRekey {
  oldChildId: number;
  newChildId: number;
  nonceI: Uint8Array;
  nonceR: Uint8Array;
}

export function answerCreateChild(sa: IkeSaData, env: TaskEnv, messageId: number, payloads: readonly Payload[], spiIn: number | undefined): TaskResult & { rekeyed?: AnsweredRekey } {
  const conn = sa.conn!;
  const peer = sa.remote.address;
  const saPayload = findPayload(payloads, PayloadType.SA);
  const nonce = findPayload(payloads, PayloadType.NONCE);
  if (!saPayload || !nonce) return refuse(sa, messageId, NotifyType.INVALID_SYNTAX, `CREATE_CHILD_SA from ${peer} lacks SA or Ni`);
  if (spiIn === undefined) return refuse(sa, messageId, NotifyType.NO_ADDITIONAL_SAS, `the kernel could not reserve an SPI for conn '${conn.name}'`);

  const rekey = findNotify(payloads, NotifyType.REKEY_SA);
  const old = rekey ? sa.children.find((c) => c.state.is('INSTALLED') && c.params.spiOut === spiFromBytes(rekey.spi)) : undefined;
  if (rekey && !old) return refuse(sa, messageId, NotifyType.CHILD_SA_NOT_FOUND, `peer ${peer} asked to rekey a CHILD SA we do not have`);

  const offered = proposalsFromWire(saPayload.proposals).filter((p) => p.protocol !== 'ike');
  const selection = selectProposal(conn.childProposals, offered);
  if (!selection.selected) {
    return refuse(sa, messageId, NotifyType.NO_PROPOSAL_CHOSEN, explainNoProposal(offered[0]?.protocol ?? 'esp', conn.name, offered, conn.childProposals, selection.closestMissing));
  }
  const chosen = selection.selected;

  // PFS: a KE method in the chosen proposal means a fresh key exchange.
  const group = firstOf(chosen, TransformType.KE)?.id;
  const keI = findPayload(payloads, PayloadType.KE);
  let sharedSecret: Buffer | undefined;
  let keR: Payload | undefined;
  if (group !== undefined && group !== 0) {
    if (!keI || keI.group !== group) {
      return refuse(sa, messageId, NotifyType.INVALID_KE_PAYLOAD, `peer ${peer} sent KE ${keI ? transformName(TransformType.KE, keI.group) : '(none)'} for CREATE_CHILD_SA; asked for ${transformName(TransformType.KE, group)}`, u16(group));
    }
    const ke = createKeyExchange(group, { allowWeak: env.allowWeakGroups });
    if (!ke.ok) return refuse(sa, messageId, NotifyType.NO_PROPOSAL_CHOSEN, ke.error.message);
    const shared = ke.value.computeSharedSecret(keI.data);
    if (!shared.ok) return refuse(sa, messageId, NotifyType.INVALID_SYNTAX, shared.error.message);
    sharedSecret = shared.value;
    keR = { type: PayloadType.KE, critical: false, group, data: Buffer.from(ke.value.publicValue) };
    ke.value.dispose();
  }

  const tsi = tsFromWire(findPayload(payloads, PayloadType.TSi)?.selectors ?? []);
  const tsr = tsFromWire(findPayload(payloads, PayloadType.TSr)?.selectors ?? []);
  const ours = { local: localTsOf(conn, sa.local.address), remote: remoteTsOf(conn, sa.remote.address) };
  const remoteTs = narrow(tsi, ours.remote);
  const localTs = narrow(tsr, ours.local);
  if (remoteTs.length === 0 || localTs.length === 0) {
    return refuse(sa, messageId, NotifyType.TS_UNACCEPTABLE, explainTsMismatch(conn.name, tsi, tsr, ours));
  }
  const spiOut = spiFromBytes(chosen.spi);
  if (spiOut <= 0) return refuse(sa, messageId, NotifyType.INVALID_SYNTAX, `peer ${peer} sent a CHILD SA SPI of ${chosen.spi.length} octets`);
  const mode = old?.params.mode ?? (findNotify(payloads, NotifyType.USE_TRANSPORT_MODE) && conn.mode === 'transport' ? 'transport' : 'tunnel');
  const nonceR = env.random(32);
  const child = params(
    sa,
    env,
    { childId: env.nextChildId(), conn, proposal: chosen, spiIn, spiOut, mode, localTs, remoteTs },
    { weInitiated: false, nonceI: nonce.data, nonceR, ...(sharedSecret ? { sharedSecret } : {}) },
  );
  sharedSecret?.fill(0);
  if (isChildFailure(child)) return refuse(sa, messageId, NotifyType.NO_PROPOSAL_CHOSEN, child.message);

  const inner: Payload[] = [];
  if (mode === 'transport') inner.push(notify(NotifyType.USE_TRANSPORT_MODE));
  inner.push(
    { type: PayloadType.SA, critical: false, proposals: [proposalToWire(chosen, chosen.number, spiToBytes(spiIn))] },
    { type: PayloadType.NONCE, critical: false, data: nonceR },
    ...(keR ? [keR] : []),
    { type: PayloadType.TSi, critical: false, selectors: tsToWire(remoteTs) },
    { type: PayloadType.TSr, critical: false, selectors: tsToWire(localTs) },
  );
  // Policies stay shared when this replaces (or adds to) a CHILD SA of the same reqid.
  const shared = sa.children.some((c) => c.state.is('INSTALLED') && c.params.reqid === child.reqid);
  return {
    ...(old ? { rekeyed: { oldChildId: old.id, newChildId: child.childId, nonceI: nonce.data, nonceR } } : {}),
    effects: [
      // Replacing a pair: our new outbound SA waits for the initiator's Delete of the old one (rekey/outbound-handover.ts).
      { kind: 'install-child', child, policies: !shared, ...(old ? { outbound: false } : {}) },
      {
        kind: 'send-response',
        exchange: 'CREATE_CHILD_SA',
        messageId,
        datagrams: [protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, inner)],
        ifChildFailed: [protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, [notify(NotifyType.NO_ADDITIONAL_SAS)])],
      },
      effect.log(sa.id, 'info', `${old ? `rekeyed CHILD SA ${old.params.spiIn.toString(16)}` : 'new CHILD SA'} for conn '${conn.name}': ${child.proposal}`),
    ],
  };
}
