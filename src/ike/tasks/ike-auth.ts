// IKE_AUTH (RFC 7296 §1.2, §2.15), both roles; AUTH itself is built and
// checked in ../authenticate.ts (PSK, certificates with RFC 7427).
//
//   HDR, SK {IDi, [CERT,] N(INITIAL_CONTACT), [CERTREQ,] [IDr,] AUTH,
//            [N(USE_TRANSPORT_MODE),] SA, TSi, TSr}                   -->
//                <--  HDR, SK {IDr, [CERT,] AUTH, [N(USE_TRANSPORT_MODE),] SA, TSi, TSr}
//
// The responder picks the conn now that it knows the peer's ID (it may
// differ from the one IKE_SA_INIT matched by address), verifies AUTH, and
// answers; an unverifiable AUTH is answered with N(AUTHENTICATION_FAILED)
// (§2.21.2). A CHILD SA failure does not fail the IKE SA: the response
// carries the error notify instead of SA/TSi/TSr.

import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { findNotify, findPayload, type Payload } from '../../wire/payload.js';
import { buildOurAuth, idPayload, isFailure, localCredential, ourIdentity, verifyPeerAuth } from '../authenticate.js';
import type { IkeConn } from '../conn.js';
import { connForAuth } from '../conn-lookup.js';
import type { LocalCredential } from '../credentials.js';
import { effect, type Effect } from '../effects.js';
import { explainAuthRejected, type AuthFacts } from '../explain.js';
import { formatIdentity, identityFromData, idMatches } from '../identity.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { encodeProtected, encodeProtectedDatagrams } from '../protection.js';
import { tsFromWire } from '../wire-adapt.js';
import { childAnswer, childFromResponse, childRequest, isChildFailure } from './child-create.js';
import { sendsFragments } from './ike-frag.js';
import { notify, type Failure, type TaskEnv, type TaskResult } from './task.js';

export { ourIdentity } from '../authenticate.js';

const CERTREQ_X509 = 4;

function facts(sa: IkeSaData, conn: IkeConn): AuthFacts {
  return {
    connName: conn.name,
    peerAddress: sa.remote.address,
    peerId: sa.peerId ? formatIdentity(sa.peerId) : formatIdentity(conn.remoteId),
    localId: formatIdentity(sa.localId ?? ourIdentity(conn, sa.local.address)),
  };
}

/** CERTREQ naming our trust anchors, when we expect the peer to use a certificate. */
export function certReqPayloads(conn: IkeConn, env: TaskEnv): Payload[] {
  const store = env.credentials();
  if (conn.remoteAuth !== 'pubkey' || !store.hasAnchors) return [];
  return [{ type: PayloadType.CERTREQ, critical: false, encoding: CERTREQ_X509, authority: store.certreqHashes() }];
}

function methodName(conn: IkeConn): string {
  return conn.localAuth === 'psk' ? 'PSK' : 'certificate';
}

// ---------------------------------------------------------------- initiator

export function buildAuthRequest(sa: IkeSaData, env: TaskEnv, spiIn: number): TaskResult {
  const conn = sa.conn!;
  const cred = localCredential(conn, env);
  if (isFailure(cred)) return { effects: [], failed: cred };
  const localId = ourIdentity(conn, sa.local.address, cred);
  sa.localId = localId;
  const idi = idPayload(PayloadType.IDi, localId);
  const ours = buildOurAuth(sa, env, conn, idi, cred, conn.remoteId);
  if (isFailure(ours)) return { effects: [], failed: ours };
  const child = childRequest(sa, env, spiIn);
  sa.pendingChild = child.pending;
  // INITIAL_CONTACT only on first contact: with another IKE SA to this peer
  // (a second conn, a reauthentication) it would make the peer drop that one.
  const contact = env.firstContact?.(sa) ?? true ? [notify(NotifyType.INITIAL_CONTACT)] : [];
  const payloads: Payload[] = [idi, ...ours.certs, ...contact, ...certReqPayloads(conn, env)];
  if (conn.remoteId.type !== 'any') payloads.push(idPayload(PayloadType.IDr, conn.remoteId));
  payloads.push(ours.auth, ...child.payloads);
  const messageId = sa.requests.allocate();
  const datagrams = encodeProtectedDatagrams(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: true, response: false },
    payloads,
    sa.skOut!,
    sendsFragments(sa),
  );
  sa.state.to('AUTH_SENT');
  return { effects: [{ kind: 'send-request', exchange: 'IKE_AUTH', messageId, datagrams }] };
}

export function processAuthResponse(sa: IkeSaData, env: TaskEnv, payloads: readonly Payload[]): TaskResult {
  const conn = sa.conn!;
  const fail = (code: string, message: string): TaskResult => ({ effects: [], failed: { code, message } });
  if (findNotify(payloads, NotifyType.AUTHENTICATION_FAILED)) {
    return fail('AUTHENTICATION_FAILED', explainAuthRejected(facts(sa, conn), methodName(conn)));
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
  const invalid = verifyPeerAuth(sa, env, conn, idr, auth, payloads, facts(sa, conn));
  if (invalid) return fail(invalid.code, invalid.message);

  sa.state.to('ESTABLISHED');
  const effects: Effect[] = [
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
  cred?: LocalCredential;
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
  if (!idi || !auth) return authFailed(sa, messageId, { code: 'INVALID_SYNTAX', message: `IKE_AUTH from ${sa.remote.address} lacks IDi or AUTH` });
  const peerId = identityFromData(idi.idType, idi.data);
  sa.peerId = peerId;
  if (findPayload(payloads, PayloadType.CERTREQ)) sa.peerCertReq = true;
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
  if (!lookup.ok) return authFailed(sa, messageId, { code: 'NO_CONN', message: `AUTHENTICATION_FAILED: ${lookup.reason}` });
  const conn = lookup.conn;
  sa.conn = conn;
  const cred = localCredential(conn, env);
  if (isFailure(cred)) return authFailed(sa, messageId, cred);
  sa.localId = ourIdentity(conn, sa.local.address, cred);
  const invalid = verifyPeerAuth(sa, env, conn, idi, auth, payloads, facts(sa, conn));
  if (invalid) return authFailed(sa, messageId, invalid);
  const prepared: PreparedAuth = { conn, wantsChild: findPayload(payloads, PayloadType.SA) !== undefined };
  if (cred) prepared.cred = cred;
  return prepared;
}

export function isPrepared(x: PreparedAuth | TaskResult): x is PreparedAuth {
  return 'conn' in x;
}

export function answerAuth(sa: IkeSaData, env: TaskEnv, messageId: number, payloads: readonly Payload[], prepared: PreparedAuth, spiIn?: number): TaskResult {
  const { conn } = prepared;
  const idr = idPayload(PayloadType.IDr, sa.localId!);
  const ours = buildOurAuth(sa, env, conn, idr, prepared.cred, sa.peerId!);
  if (isFailure(ours)) return authFailed(sa, messageId, ours);
  const head: Payload[] = [idr, ...ours.certs, ours.auth];
  const seal = (inner: Payload[]) =>
    encodeProtectedDatagrams(
      { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: false, response: true },
      inner,
      sa.skOut!,
      sendsFragments(sa),
    );

  sa.state.to('ESTABLISHED');
  const effects: Effect[] = [];
  let failure: Failure | undefined;
  let childPayloads: Payload[] = [];
  if (prepared.wantsChild && spiIn !== undefined) {
    const answer = childAnswer(sa, env, conn, payloads, spiIn);
    childPayloads = answer.payloads;
    if (answer.child) effects.push({ kind: 'install-child', child: answer.child });
    failure = answer.failure;
  } else if (prepared.wantsChild) {
    childPayloads = [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
    failure = { code: 'KERNEL_ALLOCSPI', message: `the kernel could not reserve an SPI for conn '${conn.name}'` };
  }
  effects.push(
    {
      kind: 'send-response',
      exchange: 'IKE_AUTH',
      messageId,
      datagrams: seal([...head, ...childPayloads]),
      ifChildFailed: () => seal([...head, notify(NotifyType.NO_PROPOSAL_CHOSEN)]),
    },
    { kind: 'cancel-timer', timer: 'half-open-expire' },
    effect.emit({ type: 'ike-established', ikeSaId: sa.id }),
    effect.log(sa.id, 'info', `IKE SA '${conn.name}' established with '${formatIdentity(sa.peerId!)}' (${sa.remote.address})`),
  );
  if (failure) effects.push(effect.emit({ type: 'child-failed', ikeSaId: sa.id, code: failure.code, error: failure.message }));
  return { effects };
}

/** Encrypted IKE_AUTH answer carrying only N(AUTHENTICATION_FAILED); the SA then goes. */
function authFailed(sa: IkeSaData, messageId: number, failure: Failure): TaskResult {
  const bytes = encodeProtected(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_AUTH, messageId, initiator: false, response: true },
    [notify(NotifyType.AUTHENTICATION_FAILED)],
    sa.skOut!,
  );
  return {
    // The failure itself is logged once, by the engine (ike-failed).
    effects: [{ kind: 'send-response', exchange: 'IKE_AUTH', messageId, datagrams: [bytes] }],
    failed: failure,
  };
}
