// Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18), responder side:
//
//   HDR, SK {SA, Ni, KEi}  -->  <--  HDR, SK {SA, Nr, KEr}
//
// The answer goes out under the old SA's keys; the new SA (new SPIs, keys
// from the old SK_d and the new g^ir) takes over the CHILD SAs, and the
// peer then deletes the old one. Building the successor is the caller's
// part (it needs the SaManager); this task returns its data.

import { createKeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { TransformType, transformName } from '../../wire/iana/transforms.js';
import { findPayload, type Payload } from '../../wire/payload.js';
import { effect } from '../effects.js';
import { explainNoProposal } from '../explain.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { firstOf, formatProposal, type Proposal } from '../proposal.js';
import { selectProposal } from '../proposal-select.js';
import { protectedResponse } from '../protection.js';
import { proposalsFromWire, proposalToWire } from '../wire-adapt.js';
import { notify, u16, type TaskEnv, type TaskResult } from './task.js';

/** What the successor IKE SA starts from. */
export interface Successor {
  spiI: Buffer;
  spiR: Buffer;
  proposal: Proposal;
  nonceI: Buffer;
  nonceR: Buffer;
  sharedSecret: Buffer;
  /** We initiated the rekey, so we are the new IKE SA's initiator (§2.18). */
  initiator?: boolean;
}

export function answerIkeRekey(sa: IkeSaData, env: TaskEnv, messageId: number, payloads: readonly Payload[], newSpiR: Buffer): TaskResult & { successor?: Successor } {
  const conn = sa.conn!;
  const peer = sa.remote.address;
  const refuse = (type: number, why: string, data?: Uint8Array): TaskResult => ({
    effects: [
      { kind: 'send-response', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, [notify(type, data)])] },
      effect.log(sa.id, 'warn', why),
    ],
  });
  const saPayload = findPayload(payloads, PayloadType.SA);
  const nonce = findPayload(payloads, PayloadType.NONCE);
  const keI = findPayload(payloads, PayloadType.KE);
  if (!saPayload || !nonce || !keI) return refuse(NotifyType.INVALID_SYNTAX, `IKE SA rekey from ${peer} lacks SA, Ni or KEi`);
  const offered = proposalsFromWire(saPayload.proposals).filter((p) => p.protocol === 'ike');
  const selection = selectProposal(conn.ikeProposals, offered);
  if (!selection.selected) {
    return refuse(NotifyType.NO_PROPOSAL_CHOSEN, explainNoProposal('ike', conn.name, offered, conn.ikeProposals, selection.closestMissing));
  }
  const chosen = selection.selected;
  if (chosen.spi.length !== 8) return refuse(NotifyType.INVALID_SYNTAX, `IKE SA rekey from ${peer} with a ${chosen.spi.length}-octet SPI`);
  const group = firstOf(chosen, TransformType.KE)!.id;
  if (keI.group !== group) {
    return refuse(NotifyType.INVALID_KE_PAYLOAD, `peer ${peer} sent KE ${transformName(TransformType.KE, keI.group)} to rekey the IKE SA; asked for ${transformName(TransformType.KE, group)}`, u16(group));
  }
  const ke = createKeyExchange(group, { allowWeak: env.allowWeakGroups });
  if (!ke.ok) return refuse(NotifyType.NO_PROPOSAL_CHOSEN, ke.error.message);
  const shared = ke.value.computeSharedSecret(keI.data);
  const keR = Buffer.from(ke.value.publicValue);
  ke.value.dispose();
  if (!shared.ok) return refuse(NotifyType.INVALID_SYNTAX, shared.error.message);
  const nonceR = env.random(32);
  const inner: Payload[] = [
    { type: PayloadType.SA, critical: false, proposals: [proposalToWire(chosen, chosen.number, newSpiR)] },
    { type: PayloadType.NONCE, critical: false, data: nonceR },
    { type: PayloadType.KE, critical: false, group, data: keR },
  ];
  return {
    effects: [
      { kind: 'send-response', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [protectedResponse(sa, ExchangeType.CREATE_CHILD_SA, messageId, inner)] },
      effect.log(sa.id, 'info', `IKE SA '${conn.name}' rekeyed by ${peer}: ${formatProposal(chosen)}`),
    ],
    successor: {
      spiI: Buffer.from(chosen.spi),
      spiR: newSpiR,
      proposal: { ...chosen, spi: new Uint8Array(0) },
      nonceI: Buffer.from(nonce.data),
      nonceR,
      sharedSecret: shared.value,
    },
  };
}
