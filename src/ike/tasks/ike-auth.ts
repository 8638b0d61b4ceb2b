// IKE_AUTH (RFC 7296 §1.2, §2.15) with pre-shared keys, both roles.
//
//   HDR, SK {IDi, N(INITIAL_CONTACT), [IDr,] AUTH, [N(USE_TRANSPORT_MODE),]
//            SA, TSi, TSr}                                            -->
//                     <--  HDR, SK {IDr, AUTH, [N(USE_TRANSPORT_MODE),] SA, TSi, TSr}
//
// The responder picks the conn now that it knows the peer's ID (it may
// differ from the one IKE_SA_INIT matched by address), verifies AUTH, and
// answers; an unverifiable AUTH is answered with N(AUTHENTICATION_FAILED)
// (§2.21.2). A CHILD SA failure does not fail the IKE SA: the response
// carries the error notify instead of SA/TSi/TSr.

import { pskAuth, verifyPskAuth } from '../../crypto/auth/psk.js';
import { signedOctets } from '../../crypto/auth/signed-octets.js';
import { AuthMethod } from '../../wire/iana/auth-methods.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { encodeIdBody, type IdPayload } from '../../wire/payloads/id.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import type { Effect } from '../effects.js';
import { effect } from '../effects.js';
import type { IkeConn } from '../conn.js';
import { connForAuth } from '../conn-lookup.js';
import { explainAuthRejected, explainNoSecret, explainPeerAuthInvalid, explainPskMismatch } from '../explain.js';
import { formatIdentity, identityData, identityFromData, idMatches, parseIdentity, type Identity } from '../identity.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { encodeProtected } from '../protection.js';
import { tsFromWire } from '../wire-adapt.js';
import { childAnswer, childFromResponse, childRequest, isChildFailure } from './child-create.js';
import { notify, type Failure, type TaskEnv, type TaskResult } from './task.js';

/** Our ID: leftid, or our address when leftid is %any/unset. */
export function ourIdentity(conn: IkeConn, localAddress: string): Identity {
  return conn.localId.type === 'any' ? parseIdentity(localAddress) : conn.localId;
}

function idPayload(type: typeof PayloadType.IDi | typeof PayloadType.IDr, id: Identity): IdPayload {
  const { type: idType, data } = identityData(id);
  return { type, critical: false, idType, data } as IdPayload;
}

function authOctets(sa: IkeSaData, signerIsInitiator: boolean, idBody: Uint8Array): Buffer {
  return signedOctets({
    prf: sa.prf!,
    realMessage: signerIsInitiator ? sa.initRequest! : sa.initResponse!,
    peerNonce: signerIsInitiator ? sa.nonceR! : sa.nonceI!,
    skP: signerIsInitiator ? sa.keys!.skPi : sa.keys!.skPr,
    idPayloadBody: idBody,
  });
}

function facts(sa: IkeSaData, conn: IkeConn) {
  return {
    connName: conn.name,
    peerAddress: sa.remote.address,
    peerId: sa.peerId ? formatIdentity(sa.peerId) : formatIdentity(conn.remoteId),
    localId: formatIdentity(sa.localId ?? ourIdentity(conn, sa.local.address)),
  };
}

// ---------------------------------------------------------------- initiator

export function buildAuthRequest(sa: IkeSaData, env: TaskEnv, spiIn: number): TaskResult {
  const conn = sa.conn!;
  const localId = ourIdentity(conn, sa.local.address);
  sa.localId = localId;
  const idi = idPayload(PayloadType.IDi, localId);
  const psk = env.psk(localId, conn.remoteId);
  if (!psk) return { effects: [], failed: { code: 'NO_SECRET', message: explainNoSecret(conn.name, formatIdentity(localId), formatIdentity(conn.remoteId)) } };
  const auth = pskAuth(sa.prf!, psk, authOctets(sa, true, encodeIdBody(idi)));
  const child = childRequest(sa, env, spiIn);
  sa.pendingChild = child.pending;
  const payloads: Payload[] = [idi, notify(NotifyType.INITIAL_CONTACT)];
  if (conn.remoteId.type !== 'any') payloads.push(idPayload(PayloadType.IDr, conn.remoteId));
  payloads.push({ type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: auth }, ...child.payloads);
  const messageId = sa.requests.allocate();
  const bytes = encodeProtected(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: true, response: false },
    payloads,
    sa.skOut!,
  );
  sa.state.to('AUTH_SENT');
  return { effects: [{ kind: 'send-request', exchange: 'IKE_AUTH', messageId, datagrams: [bytes] }] };
}

export function processAuthResponse(sa: IkeSaData, env: TaskEnv, payloads: readonly Payload[]): TaskResult {
  const conn = sa.conn!;
  const fail = (code: string, message: string): TaskResult => ({ effects: [], failed: { code, message } });
  if (findNotify(payloads, NotifyType.AUTHENTICATION_FAILED)) {
    return fail('AUTHENTICATION_FAILED', explainAuthRejected(facts(sa, conn), 'PSK'));
  }
  const idr = findPayload(payloads, PayloadType.IDr);
  const auth = findPayload(payloads, PayloadType.AUTH);
  if (!idr || !auth) {
    const error = payloads.find((p): p is Extract<Payload, { notifyType: number }> => 'notifyType' in p && p.notifyType < 16384);
    const name = error ? (Object.entries(NotifyType).find(([, v]) => v === error.notifyType)?.[0] ?? String(error.notifyType)) : 'no IDr/AUTH';
    return fail(error ? name : 'INVALID_SYNTAX', `peer ${sa.remote.address} refused IKE_AUTH for conn '${conn.name}': ${name}`);
  }
  const peerId = identityFromData(idr.idType, idr.data);
  sa.peerId = peerId;
  if (!idMatches(conn.remoteId, peerId)) {
    return fail('AUTHENTICATION_FAILED', `peer ${sa.remote.address} identified as '${formatIdentity(peerId)}', conn '${conn.name}' expects '${formatIdentity(conn.remoteId)}'`);
  }
  if (auth.method !== AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE) {
    return fail('AUTHENTICATION_FAILED', `peer '${formatIdentity(peerId)}' used AUTH method ${auth.method}, conn '${conn.name}' expects a pre-shared key`);
  }
  const psk = env.psk(sa.localId!, peerId);
  if (!psk) return fail('NO_SECRET', explainNoSecret(conn.name, formatIdentity(sa.localId!), formatIdentity(peerId)));
  const verified = verifyPskAuth(sa.prf!, psk, authOctets(sa, false, encodeIdBody(idr)), auth.data);
  if (!verified.ok) return fail('AUTHENTICATION_FAILED', explainPeerAuthInvalid(facts(sa, conn), 'PSK'));

  sa.state.to('ESTABLISHED');
  const effects: Effect[] = [
    { kind: 'cancel-timer', timer: 'retransmit' },
    effect.emit({ type: 'ike-established', ikeSaId: sa.id }),
    effect.log(sa.id, 'info', `IKE SA '${conn.name}' established with '${formatIdentity(peerId)}' (${sa.remote.address})`),
  ];
  const pending = sa.pendingChild!;
  sa.pendingChild = undefined;
  const child = childFromResponse(sa, env, pending, payloads);
  if (isChildFailure(child)) {
    effects.push(effect.emit({ type: 'child-failed', ikeSaId: sa.id, childId: pending.childId, code: child.code, error: child.message }));
  } else {
    effects.unshift({ kind: 'install-child', child });
  }
  return { effects };
}

// ---------------------------------------------------------------- responder

export interface PreparedAuth {
  conn: IkeConn;
  wantsChild: boolean;
}

/**
 * First half of the responder's IKE_AUTH: pick the conn and verify the
 * peer's AUTH. Returns the failure answer when it must stop here; the
 * caller then reserves an SPI (if a CHILD SA is asked for) and calls
 * answerAuth.
 */
export function prepareAuth(sa: IkeSaData, env: TaskEnv, messageId: number, payloads: readonly Payload[]): PreparedAuth | TaskResult {
  const idi = findPayload(payloads, PayloadType.IDi);
  const auth = findPayload(payloads, PayloadType.AUTH);
  if (!idi || !auth) return authFailed(sa, messageId, 'INVALID_SYNTAX', `IKE_AUTH from ${sa.remote.address} lacks IDi or AUTH`);
  const peerId = identityFromData(idi.idType, idi.data);
  sa.peerId = peerId;
  const idr = findPayload(payloads, PayloadType.IDr);
  const lookup = connForAuth(env.conns(), {
    local: sa.local.address,
    remote: sa.remote.address,
    peerId,
    ...(idr ? { wantedId: identityFromData(idr.idType, idr.data) } : {}),
    ikeProposal: sa.ikeProposal!,
    tsi: tsFromWire(findPayload(payloads, PayloadType.TSi)?.selectors ?? []),
    tsr: tsFromWire(findPayload(payloads, PayloadType.TSr)?.selectors ?? []),
  });
  if (!lookup.ok) return authFailed(sa, messageId, 'NO_CONN', `AUTHENTICATION_FAILED: ${lookup.reason}`);
  const conn = lookup.conn;
  sa.conn = conn;
  sa.localId = ourIdentity(conn, sa.local.address);
  if (auth.method !== AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE || conn.remoteAuth !== 'psk') {
    return authFailed(sa, messageId, 'AUTHENTICATION_FAILED', `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' used AUTH method ${auth.method}, conn '${conn.name}' expects ${conn.remoteAuth}`);
  }
  const psk = env.psk(sa.localId, peerId);
  if (!psk) return authFailed(sa, messageId, 'NO_SECRET', `AUTHENTICATION_FAILED: ${explainNoSecret(conn.name, formatIdentity(sa.localId), formatIdentity(peerId))}`);
  const verified = verifyPskAuth(sa.prf!, psk, authOctets(sa, true, encodeIdBody(idi)), auth.data);
  if (!verified.ok) return authFailed(sa, messageId, 'AUTHENTICATION_FAILED', explainPskMismatch(facts(sa, conn)));
  return { conn, wantsChild: findPayload(payloads, PayloadType.SA) !== undefined };
}

export function isPrepared(x: PreparedAuth | TaskResult): x is PreparedAuth {
  return 'conn' in x;
}

export function answerAuth(sa: IkeSaData, env: TaskEnv, messageId: number, payloads: readonly Payload[], prepared: PreparedAuth, spiIn?: number): TaskResult {
  const { conn } = prepared;
  const idr = idPayload(PayloadType.IDr, sa.localId!);
  const psk = env.psk(sa.localId!, sa.peerId!)!;
  const auth = pskAuth(sa.prf!, psk, authOctets(sa, false, encodeIdBody(idr)));
  const head: Payload[] = [idr, { type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: auth }];
  const seal = (inner: Payload[]) =>
    encodeProtected({ spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: false, response: true }, inner, sa.skOut!);

  sa.state.to('ESTABLISHED');
  const effects: Effect[] = [];
  let failure: Failure | undefined;
  let childPayloads: Payload[] = [];
  if (prepared.wantsChild && spiIn !== undefined) {
    const answer = childAnswer(sa, env, conn, payloads, spiIn);
    childPayloads = answer.payloads;
    if (answer.child) effects.push({ kind: 'install-child', child: answer.child });
    failure = answer.failure;
  }
  effects.push(
    {
      kind: 'send-response',
      exchange: 'IKE_AUTH',
      messageId,
      datagrams: [seal([...head, ...childPayloads])],
      ifChildFailed: [seal([...head, notify(NotifyType.NO_PROPOSAL_CHOSEN)])],
    },
    { kind: 'cancel-timer', timer: 'half-open-expire' },
    effect.emit({ type: 'ike-established', ikeSaId: sa.id }),
    effect.log(sa.id, 'info', `IKE SA '${conn.name}' established with '${formatIdentity(sa.peerId!)}' (${sa.remote.address})`),
  );
  if (failure) effects.push(effect.emit({ type: 'child-failed', ikeSaId: sa.id, code: failure.code, error: failure.message }));
  return { effects };
}

/** Encrypted IKE_AUTH answer carrying only N(AUTHENTICATION_FAILED); the SA then goes. */
function authFailed(sa: IkeSaData, messageId: number, code: string, message: string): TaskResult {
  const bytes = encodeProtected(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: false, response: true },
    [notify(NotifyType.AUTHENTICATION_FAILED)],
    sa.skOut!,
  );
  return {
    effects: [{ kind: 'send-response', exchange: 'IKE_AUTH', messageId, datagrams: [bytes] }, effect.log(sa.id, 'warn', message)],
    failed: { code, message },
  };
}
