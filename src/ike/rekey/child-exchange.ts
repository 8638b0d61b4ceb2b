// A CREATE_CHILD_SA exchange for one CHILD SA, initiator side (RFC 7296
// §1.3.1, §1.3.3): the request and the reading of its answer, shared by a
// rekey (with N(REKEY_SA) naming the pair it replaces) and a new CHILD SA on
// an IKE SA that has none:
//
//   HDR, SK {[N(REKEY_SA)], [N(USE_TRANSPORT_MODE)], SA, Ni, [KEi], TSi, TSr}  -->
//                <--  HDR, SK {[N(USE_TRANSPORT_MODE)], SA, Nr, [KEr], TSi, TSr}
//
// Keys come from this exchange's nonces and, when the proposal names a KE
// method, a fresh key exchange (PFS).

import { createKeyExchange, type KeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { ProtocolId } from '../../wire/iana/protocol-ids.js';
import { TransformType } from '../../wire/iana/transforms.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import type { ChildSaParams } from '../child-params.js';
import type { IkeConn } from '../conn.js';
import { localTsOf, remoteTsOf } from '../conn-lookup.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { firstOf, type Proposal } from '../proposal.js';
import { protectedRequest } from '../protection.js';
import type { TrafficSelector } from '../traffic-selectors.js';
import { proposalsToWire, spiToBytes, tsToWire } from '../wire-adapt.js';
import { acceptChildAnswer, isChildFailure, params } from '../tasks/child-create.js';
import { notify, type Failure, type TaskEnv } from '../tasks/task.js';
import type { Effect } from '../effects.js';

/** What the new CHILD SA is to carry: the replaced pair's (rekey) or the conn's (a new one). */
export interface ChildShape {
  mode: 'tunnel' | 'transport';
  protocol: 'esp' | 'ah';
  localTs: TrafficSelector[];
  remoteTs: TrafficSelector[];
}

export function shapeOf(p: ChildSaParams): ChildShape {
  return { mode: p.mode, protocol: p.protocol, localTs: p.localTs, remoteTs: p.remoteTs };
}

/** The CHILD SA protocol a conn negotiates (its first proposal's). */
export function childProtocolOf(conn: IkeConn): 'esp' | 'ah' {
  return conn.childProposals[0]?.protocol === 'ah' ? 'ah' : 'esp';
}

/** A new CHILD SA with the conn's own selectors, between these addresses. */
export function shapeOfConn(conn: IkeConn, local: string, remote: string): ChildShape {
  return { mode: conn.mode, protocol: childProtocolOf(conn), localTs: localTsOf(conn, local), remoteTs: remoteTsOf(conn, remote) };
}

/** Our outstanding CREATE_CHILD_SA request, kept until the answer arrives. */
export interface ChildExchangePending {
  newChildId: number;
  spiIn: number;
  proposals: Proposal[];
  nonceI: Buffer;
  ke?: KeyExchange;
}

export const spiHex = (spi: number): string => spi.toString(16).padStart(8, '0');

/** The request; `rekeys` is the inbound SPI of the pair a rekey replaces. */
export function buildChildExchange(sa: IkeSaData, env: TaskEnv, shape: ChildShape, spiIn: number, rekeys?: number): { effects: Effect[]; pending: ChildExchangePending } | Failure {
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
  const inner: Payload[] = [];
  if (rekeys !== undefined) inner.push(notify(NotifyType.REKEY_SA, new Uint8Array(0), shape.protocol === 'ah' ? ProtocolId.AH : ProtocolId.ESP, spiToBytes(rekeys)));
  if (shape.mode === 'transport') inner.push(notify(NotifyType.USE_TRANSPORT_MODE));
  inner.push(
    { type: PayloadType.SA, critical: false, proposals: proposalsToWire(proposals, spiToBytes(spiIn)) },
    { type: PayloadType.NONCE, critical: false, data: nonceI },
    ...(ke && group ? [{ type: PayloadType.KE, critical: false, group, data: Buffer.from(ke.publicValue) } as Payload] : []),
    { type: PayloadType.TSi, critical: false, selectors: tsToWire(shape.localTs) },
    { type: PayloadType.TSr, critical: false, selectors: tsToWire(shape.remoteTs) },
  );
  return {
    pending: { newChildId: env.nextChildId(), spiIn, proposals, nonceI, ...(ke ? { ke } : {}) },
    effects: [protectedRequest(sa, ExchangeType.CREATE_CHILD_SA, inner)],
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

/**
 * The peer's answer: the new pair's parameters, or why there is none.
 * `what` names the request in messages ("rekey CHILD SA 0a1b2c3d", "create a CHILD SA").
 */
export function childFromExchangeResponse(sa: IkeSaData, env: TaskEnv, pending: ChildExchangePending, shape: ChildShape, payloads: readonly Payload[], what: string): { child: ChildSaParams; nonceR: Uint8Array } | Failure {
  const conn = sa.conn!;
  const peer = sa.remote.address;
  try {
    for (const [type, code] of REFUSALS) {
      if (findNotify(payloads, type)) return { code, message: `peer ${peer} refused to ${what} of conn '${conn.name}' (${code})` };
    }
    const saPayload = findPayload(payloads, PayloadType.SA);
    const nonce = findPayload(payloads, PayloadType.NONCE);
    const tsi = findPayload(payloads, PayloadType.TSi);
    const tsr = findPayload(payloads, PayloadType.TSr);
    if (!saPayload || !nonce || !tsi || !tsr) return { code: 'INVALID_SYNTAX', message: `CREATE_CHILD_SA response from ${peer} lacks SA, Nr, TSi or TSr` };
    const accepted = acceptChildAnswer({ proposals: pending.proposals, localTs: shape.localTs, remoteTs: shape.remoteTs }, { sa: saPayload, tsi, tsr }, peer, `the request to ${what} of conn '${conn.name}'`);
    if ('code' in accepted) return accepted;
    const { chosen, spiOut, localTs, remoteTs } = accepted;
    let sharedSecret: Buffer | undefined;
    const group = firstOf(chosen, TransformType.KE)?.id;
    if (group !== undefined && group !== 0) {
      const keR = findPayload(payloads, PayloadType.KE);
      if (!pending.ke || !keR || keR.group !== group) return { code: 'INVALID_KE_PAYLOAD', message: `peer ${peer} answered the request to ${what} without the KE payload its proposal needs` };
      const shared = pending.ke.computeSharedSecret(keR.data);
      if (!shared.ok) return { code: shared.error.code, message: shared.error.message };
      sharedSecret = shared.value;
    }
    const child = params(
      sa,
      env,
      { childId: pending.newChildId, conn, proposal: chosen, spiIn: pending.spiIn, spiOut, mode: shape.mode, localTs, remoteTs },
      { weInitiated: true, nonceI: pending.nonceI, nonceR: nonce.data, ...(sharedSecret ? { sharedSecret } : {}) },
    );
    sharedSecret?.fill(0);
    if (isChildFailure(child)) return child;
    return { child, nonceR: nonce.data };
  } finally {
    pending.ke?.dispose();
  }
}

export function isExchangeFailure(x: { child: ChildSaParams; nonceR: Uint8Array } | Failure): x is Failure {
  return 'code' in x && !('child' in x);
}
