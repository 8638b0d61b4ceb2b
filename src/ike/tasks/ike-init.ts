// IKE_SA_INIT (RFC 7296 §1.2, §2.6, §2.7, §2.23), both roles.
//
//   HDR, [N(COOKIE),] SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP),
//        N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED),
//        N(SIGNATURE_HASH_ALGORITHMS)                               -->
//                                  <--  HDR, SA, KE, Nr, N(NAT-D) x2, N(...)
//
// Error answers (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD) keep no responder
// state; the initiator restarts after COOKIE or INVALID_KE_PAYLOAD with
// message ID 0 again, a bounded number of times.

import { decodeSignatureHashes, encodeSignatureHashes } from '../../crypto/auth/hash-algorithms.js';
import { createKeyExchange } from '../../crypto/ke/key-exchange.js';
import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { TransformType, transformName } from '../../wire/iana/transforms.js';
import type { IkeMessage } from '../../wire/message.js';
import { findNotify, findPayload, filterPayloads, type Payload } from '../../wire/payload.js';
import { connsByAddress } from '../conn-lookup.js';
import { effect, type Effect } from '../effects.js';
import { explainInvalidKe, explainNoProposal, explainProposalRejected } from '../explain.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { keyIkeSa } from '../ike-keys.js';
import { firstOf, formatProposal, type Proposal } from '../proposal.js';
import { acceptChosen, selectProposal } from '../proposal-select.js';
import { encodePlain } from '../protection.js';
import { proposalsFromWire, proposalsToWire, proposalToWire } from '../wire-adapt.js';
import { certReqPayloads } from './ike-auth.js';
import { natdPayloads, processNatd } from './ike-natd.js';
import { fragmentationNotify, negotiated } from './ike-frag.js';
import { AH_NAT_CODE, explainAhNat, explainNoEncapsulation, forcesEncapsulation, needsAh, neverEncapsulates } from '../nat/nat-rules.js';
import { notify, u16, ZERO_SPI, type TaskEnv, type TaskResult } from './task.js';

const NONCE_SIZE = 32;
const MAX_RESTARTS = 5;
export const HALF_OPEN_TIMEOUT_MS = 30_000;
const IKE_PORT = 500;
const NATT_PORT = 4500;

function extensionNotifies(sa: IkeSaData, peerAnnouncedFragmentation?: boolean): Payload[] {
  return [...fragmentationNotify(sa.conn, peerAnnouncedFragmentation), notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, encodeSignatureHashes())];
}

/** What the peer's IKE_SA_INIT says about its capabilities. */
function peerExtensions(sa: IkeSaData, payloads: readonly Payload[]): void {
  const peerAnnouncedFragmentation = findNotify(payloads, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) !== undefined;
  sa.peerFragmentation = negotiated(sa.conn, peerAnnouncedFragmentation);
  const hashes = findNotify(payloads, NotifyType.SIGNATURE_HASH_ALGORITHMS);
  if (hashes) sa.peerSignatureHashes = decodeSignatureHashes(hashes.data);
  if (findPayload(payloads, PayloadType.CERTREQ)) sa.peerCertReq = true;
}

function defaultGroup(proposals: readonly Proposal[]): number | undefined {
  for (const p of proposals) {
    const ke = firstOf(p, TransformType.KE);
    if (ke) return ke.id;
  }
  return undefined;
}

// ---------------------------------------------------------------- initiator

export function buildInitRequest(sa: IkeSaData, env: TaskEnv, group?: number): TaskResult {
  const conn = sa.conn!;
  const wanted = group ?? sa.ke?.group.id ?? defaultGroup(conn.ikeProposals);
  if (wanted === undefined) {
    return { effects: [], failed: { code: 'NO_KE_GROUP', message: `conn '${conn.name}' has no key exchange method in ike=` } };
  }
  if (!sa.ke || sa.ke.group.id !== wanted) {
    sa.ke?.dispose();
    const ke = createKeyExchange(wanted, { allowWeak: env.allowWeakGroups });
    if (!ke.ok) return { effects: [], failed: { code: ke.error.code, message: `conn '${conn.name}': ${ke.error.message}` } };
    sa.ke = ke.value;
  }
  sa.nonceI ??= env.random(NONCE_SIZE);
  sa.sentIkeProposals = conn.ikeProposals.map((p, i) => ({ ...p, number: i + 1, spi: new Uint8Array(0) }));
  const payloads: Payload[] = [];
  if (sa.cookie) payloads.push(notify(NotifyType.COOKIE, sa.cookie));
  payloads.push(
    { type: PayloadType.SA, critical: false, proposals: proposalsToWire(sa.sentIkeProposals, new Uint8Array(0)) },
    { type: PayloadType.KE, critical: false, group: wanted, data: sa.ke.publicValue },
    { type: PayloadType.NONCE, critical: false, data: sa.nonceI },
    ...natdFor(sa, ZERO_SPI, env),
    ...extensionNotifies(sa),
  );
  const messageId = sa.requests.allocate();
  const bytes = encodePlain(
    { spiI: sa.spiI, spiR: ZERO_SPI, exchangeType: ExchangeType.IKE_SA_INIT, messageId, initiator: true, response: false },
    payloads,
  );
  const first = sa.initRequest === undefined;
  sa.initRequest = bytes;
  sa.state.to('INIT_SENT');
  const effects: Effect[] = [{ kind: 'send-request', exchange: 'IKE_SA_INIT', messageId, datagrams: [bytes] }];
  if (first && neverEncapsulates(conn)) {
    effects.push(effect.log(sa.id, 'info', `conn '${conn.name}': encapsulation=no: NAT detection is off (no NAT-D sent); ESP goes as plain IP protocol 50, which will likely not cross a NAT on the path`));
  }
  return { effects };
}

export type InitResponseResult = TaskResult & { next?: 'auth' };

export function processInitResponse(sa: IkeSaData, msg: IkeMessage, raw: Buffer, env: TaskEnv): InitResponseResult {
  const conn = sa.conn!;
  const payloads = msg.payloads;
  const peer = sa.remote.address;

  const cookie = findNotify(payloads, NotifyType.COOKIE);
  if (cookie) return restart(sa, env, () => (sa.cookie = cookie.data), 'COOKIE');

  const invalidKe = findNotify(payloads, NotifyType.INVALID_KE_PAYLOAD);
  if (invalidKe) {
    const requested = invalidKe.data.length >= 2 ? Buffer.from(invalidKe.data).readUInt16BE(0) : -1;
    const allowed = conn.ikeProposals.some((p) => p.transforms.some((t) => t.type === TransformType.KE && t.id === requested));
    if (!allowed) return fail('INVALID_KE_PAYLOAD', explainInvalidKe(conn.name, requested, sa.sentIkeProposals ?? []));
    return restart(sa, env, () => undefined, `INVALID_KE_PAYLOAD (${transformName(TransformType.KE, requested)})`, requested);
  }

  if (findNotify(payloads, NotifyType.NO_PROPOSAL_CHOSEN)) {
    return fail('NO_PROPOSAL_CHOSEN', explainProposalRejected('ike', conn.name, peer, sa.sentIkeProposals ?? []));
  }
  const error = filterPayloads(payloads, PayloadType.N).find((n) => n.notifyType < 16384);
  if (error) return fail(notifyName(error.notifyType), `peer ${peer} refused IKE_SA_INIT with ${notifyName(error.notifyType)}`);

  const saPayload = findPayload(payloads, PayloadType.SA);
  const kePayload = findPayload(payloads, PayloadType.KE);
  const nonce = findPayload(payloads, PayloadType.NONCE);
  if (!saPayload || !kePayload || !nonce) return fail('INVALID_SYNTAX', `IKE_SA_INIT response from ${peer} lacks SA, KE or Nr`);
  const offered = proposalsFromWire(saPayload.proposals);
  const chosen = offered.length === 1 ? acceptChosen(sa.sentIkeProposals ?? [], offered[0]!) : undefined;
  if (!chosen) {
    return fail('NO_PROPOSAL_CHOSEN', `peer ${peer} answered with a proposal we did not offer: ${offered.map(formatProposal).join(', ')}`);
  }
  const group = firstOf(chosen, TransformType.KE)?.id;
  if (group !== kePayload.group || group !== sa.ke?.group.id) {
    return fail('INVALID_KE_PAYLOAD', `peer ${peer} chose ${transformName(TransformType.KE, group ?? 0)} but sent KE data for ${transformName(TransformType.KE, kePayload.group)}`);
  }
  const shared = sa.ke.computeSharedSecret(kePayload.data);
  if (!shared.ok) return fail(shared.error.code, `peer ${peer}: ${shared.error.message}`);
  sa.spiR = Buffer.from(msg.header.spiR);
  sa.nonceR = Buffer.from(nonce.data);
  sa.ikeProposal = chosen;
  sa.initResponse = raw;
  const keyError = keyIkeSa(sa, chosen, shared.value);
  shared.value.fill(0);
  if (keyError) return fail('KEY_DERIVATION_FAILED', keyError);
  // No restart can follow once the SA is keyed: our private value goes.
  sa.ke.dispose();
  sa.ke = undefined;
  const natNotes = applyNat(sa, payloads, msg.header.spiR);
  peerExtensions(sa, payloads);
  if ((sa.natLocal || sa.natRemote) && needsAh(conn)) {
    // Refused before IKE_AUTH: the only CHILD SA this conn can make is one
    // a NAT would break.
    return fail(AH_NAT_CODE, explainAhNat(conn.name, sa.natLocal, sa.natRemote, forcesEncapsulation(conn)));
  }
  const effects = [effect.log(sa.id, 'info', `IKE_SA_INIT done with ${peer}: ${formatProposal(chosen)}`), ...natNotes];
  if ((sa.natLocal || sa.natRemote) && sa.local.port === IKE_PORT) {
    // §2.23: behind a NAT everything after IKE_SA_INIT moves to port 4500,
    // where ESP can share the UDP mapping (RFC 3948).
    sa.local = { ...sa.local, port: NATT_PORT };
    sa.remote = { ...sa.remote, port: NATT_PORT };
    effects.push(effect.log(sa.id, 'info', `NAT detected (${sa.natLocal ? 'we are' : 'the peer is'} behind it); moving to port ${NATT_PORT}`));
  }
  return { effects, next: 'auth' };

  function fail(code: string, message: string): InitResponseResult {
    return { effects: [], failed: { code, message } };
  }
}

function restart(sa: IkeSaData, env: TaskEnv, apply: () => void, why: string, group?: number): InitResponseResult {
  if (++sa.initRestarts > MAX_RESTARTS) {
    return { effects: [], failed: { code: 'TOO_MANY_RESTARTS', message: `IKE_SA_INIT restarted ${MAX_RESTARTS} times (last: ${why})` } };
  }
  apply();
  sa.requests.resetForRetry();
  const rebuilt = buildInitRequest(sa, env, group);
  rebuilt.effects.unshift(effect.log(sa.id, 'info', `peer asked for ${why}; restarting IKE_SA_INIT`));
  return rebuilt;
}

/**
 * NAT-D hashes cover the SPIs as they stand in the message's header
 * (§2.23): the request's SPIr is still zero, the response's is set.
 */
function applyNat(sa: IkeSaData, payloads: readonly Payload[], headerSpiR: Uint8Array): Effect[] {
  const nat = processNatd(payloads, sa.spiI, headerSpiR, sa.local, sa.remote);
  if (neverEncapsulates(sa.conn)) {
    // encapsulation=no: a NAT is only reported; the SA behaves as if there were none.
    sa.natLocal = false;
    sa.natRemote = false;
    return nat.natLocal || nat.natRemote ? [effect.log(sa.id, 'warn', explainNoEncapsulation(sa.conn!.name, nat.natLocal, nat.natRemote))] : [];
  }
  // forceencaps: we act as if behind a NAT (and told the peer so).
  sa.natLocal = nat.natLocal || (nat.supported && forcesEncapsulation(sa.conn));
  sa.natRemote = nat.natRemote;
  return [];
}

/** Our NAT-D notifies: none with encapsulation=no (the peer then sees no NAT-T support), a fake SOURCE with forceencaps. */
function natdFor(sa: IkeSaData, spiR: Uint8Array, env: TaskEnv): Payload[] {
  if (neverEncapsulates(sa.conn)) return [];
  return natdPayloads(sa.spiI, spiR, sa.local, sa.remote, fakeNatSource(sa, env));
}

/** A SOURCE hash that matches nothing, when this conn forces encapsulation. */
function fakeNatSource(sa: IkeSaData, env: TaskEnv): Uint8Array | undefined {
  return forcesEncapsulation(sa.conn) ? env.random(20) : undefined;
}

function notifyName(type: number): string {
  const entry = Object.entries(NotifyType).find(([, v]) => v === type);
  return entry ? entry[0] : `NOTIFY#${type}`;
}

// ---------------------------------------------------------------- responder

/**
 * Answer a new IKE_SA_INIT request. `sa` is fresh (state CREATED) with the
 * peer's SPIi and our new SPIr; on failure the caller drops it, so error
 * answers leave no state behind.
 */
export function answerInit(sa: IkeSaData, msg: IkeMessage, raw: Buffer, env: TaskEnv): TaskResult {
  const payloads = msg.payloads;
  const peer = sa.remote.address;
  const saPayload = findPayload(payloads, PayloadType.SA);
  const kePayload = findPayload(payloads, PayloadType.KE);
  const nonce = findPayload(payloads, PayloadType.NONCE);
  if (!saPayload || !kePayload || !nonce) {
    return refuse(NotifyType.INVALID_SYNTAX, 'INVALID_SYNTAX', `IKE_SA_INIT from ${peer} lacks SA, KE or Ni`);
  }
  const offered = proposalsFromWire(saPayload.proposals).filter((p) => p.protocol === 'ike');
  const ranked = connsByAddress(env.conns(), sa.local.address, peer);
  if (ranked.length === 0) {
    return refuse(NotifyType.NO_PROPOSAL_CHOSEN, 'NO_CONN', `no conn for peer ${peer} on ${sa.local.address}`);
  }
  let chosen: Proposal | undefined;
  for (const { conn } of ranked) {
    const result = selectProposal(conn.ikeProposals, offered);
    if (result.selected) {
      sa.conn = conn;
      chosen = result.selected;
      break;
    }
  }
  if (!chosen || !sa.conn) {
    const first = ranked[0]!.conn;
    const missing = selectProposal(first.ikeProposals, offered).closestMissing;
    return refuse(NotifyType.NO_PROPOSAL_CHOSEN, 'NO_PROPOSAL_CHOSEN', explainNoProposal('ike', first.name, offered, first.ikeProposals, missing));
  }
  const group = firstOf(chosen, TransformType.KE)!.id;
  if (kePayload.group !== group) {
    return {
      effects: [
        errorResponse(sa, NotifyType.INVALID_KE_PAYLOAD, u16(group)),
        effect.log(sa.id, 'info', `peer ${peer} sent KE ${transformName(TransformType.KE, kePayload.group)}, asking for ${transformName(TransformType.KE, group)} (INVALID_KE_PAYLOAD)`),
      ],
      failed: { code: 'INVALID_KE_PAYLOAD', message: `asked ${peer} to retry with ${transformName(TransformType.KE, group)}` },
    };
  }
  const ke = createKeyExchange(group, { allowWeak: env.allowWeakGroups });
  if (!ke.ok) return refuse(NotifyType.NO_PROPOSAL_CHOSEN, ke.error.code, ke.error.message);
  sa.ke = ke.value;
  const shared = ke.value.computeSharedSecret(kePayload.data);
  if (!shared.ok) return refuse(NotifyType.INVALID_SYNTAX, shared.error.code, `peer ${peer}: ${shared.error.message}`);
  sa.nonceI = Buffer.from(nonce.data);
  sa.nonceR = env.random(NONCE_SIZE);
  sa.ikeProposal = chosen;
  sa.initRequest = raw;
  const keyError = keyIkeSa(sa, chosen, shared.value);
  shared.value.fill(0);
  if (keyError) return refuse(NotifyType.NO_PROPOSAL_CHOSEN, 'KEY_DERIVATION_FAILED', keyError);
  const natNotes = applyNat(sa, payloads, ZERO_SPI);
  peerExtensions(sa, payloads);

  const response: Payload[] = [
    { type: PayloadType.SA, critical: false, proposals: [proposalToWire(chosen)] },
    { type: PayloadType.KE, critical: false, group, data: ke.value.publicValue },
    { type: PayloadType.NONCE, critical: false, data: sa.nonceR },
    ...natdFor(sa, sa.spiR, env),
    ...certReqPayloads(sa.conn, env),
    ...extensionNotifies(sa, findNotify(payloads, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) !== undefined),
  ];
  const bytes = encodePlain(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_SA_INIT, messageId: msg.header.messageId, initiator: false, response: true },
    response,
  );
  sa.initResponse = bytes;
  // Our private value has done its work (g^ir is in the keys); not kept.
  ke.value.dispose();
  sa.ke = undefined;
  sa.state.to('INIT_ANSWERED');
  return {
    effects: [
      { kind: 'send-response', exchange: 'IKE_SA_INIT', messageId: msg.header.messageId, datagrams: [bytes] },
      { kind: 'arm-timer', timer: 'half-open-expire', ms: HALF_OPEN_TIMEOUT_MS },
      effect.log(sa.id, 'info', `IKE_SA_INIT from ${peer} for conn '${sa.conn.name}': ${formatProposal(chosen)}`),
      ...natNotes,
    ],
  };

  function refuse(type: number, code: string, message: string): TaskResult {
    return {
      effects: [errorResponse(sa, type)],
      failed: { code, message },
    };
  }
}

/** An unprotected IKE_SA_INIT error answer; SPIr stays zero (§2.6, §1.2). */
function errorResponse(sa: IkeSaData, type: number, data?: Uint8Array): { kind: 'send-response'; exchange: string; messageId: number; datagrams: Uint8Array[] } {
  const bytes = encodePlain(
    { spiI: sa.spiI, spiR: ZERO_SPI, exchangeType: ExchangeType.IKE_SA_INIT, messageId: 0, initiator: false, response: true },
    [notify(type, data)],
  );
  return { kind: 'send-response', exchange: 'IKE_SA_INIT', messageId: 0, datagrams: [bytes] };
}
