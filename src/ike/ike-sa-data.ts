// The state of one IKE SA that tasks read and update. Plain fields grouped
// by the exchange that fills them; the life cycle is the explicit state
// machine in `state`, never a combination of these fields.

import type { IkeSaKeys } from '../crypto/ike-sa-keys.js';
import type { KeyExchange } from '../crypto/ke/key-exchange.js';
import type { PrfAlgorithm } from '../crypto/registry/index.js';
import type { SkCipher } from '../crypto/sk/sk-cipher.js';
import type { Endpoint } from '../net/transport.js';
import type { ChildSa } from './child-sa.js';
import type { IkeConn } from './conn.js';
import type { Identity } from './identity.js';
import type { IkeSaState } from './ike-sa-state.js';
import { RequestWindow, ResponseWindow } from './message-window.js';
import type { Proposal } from './proposal.js';
import type { RetransmitPolicy } from './retransmit-policy.js';
import type { StateMachine } from './state-machine.js';
import type { TrafficSelector } from './traffic-selectors.js';

/** What the initiator asked for in IKE_AUTH, kept until the answer arrives. */
export interface PendingChild {
  childId: number;
  spiIn: number;
  proposals: Proposal[];
  localTs: TrafficSelector[];
  remoteTs: TrafficSelector[];
  mode: 'tunnel' | 'transport';
}

export interface IkeSaData {
  readonly id: number;
  readonly initiator: boolean;
  readonly state: StateMachine<IkeSaState>;
  /** Chosen at creation (initiator) or at IKE_SA_INIT/IKE_AUTH (responder; may switch). */
  conn?: IkeConn;
  spiI: Buffer;
  spiR: Buffer;
  local: Endpoint;
  remote: Endpoint;
  readonly requests: RequestWindow;
  readonly responses: ResponseWindow;

  // IKE_SA_INIT
  ke?: KeyExchange;
  nonceI?: Buffer;
  nonceR?: Buffer;
  cookie?: Uint8Array;
  /** Proposals we sent (initiator) for checking the answer. */
  sentIkeProposals?: Proposal[];
  ikeProposal?: Proposal;
  /** The raw IKE_SA_INIT request and response, signed by AUTH (§2.15). */
  initRequest?: Buffer;
  initResponse?: Buffer;
  natLocal: boolean;
  natRemote: boolean;
  peerFragmentation: boolean;
  /** SIGNATURE_HASH_ALGORITHMS the peer announced (RFC 7427 §4); undefined = none. */
  peerSignatureHashes?: number[];
  /** The peer sent CERTREQ (so it wants our certificate). */
  peerCertReq: boolean;
  /** INVALID_KE_PAYLOAD / COOKIE restarts so far (bounded). */
  initRestarts: number;

  // Keys
  prf?: PrfAlgorithm;
  keys?: IkeSaKeys;
  skOut?: SkCipher;
  skIn?: SkCipher;

  // IKE_AUTH
  localId?: Identity;
  peerId?: Identity;
  pendingChild?: PendingChild;
  children: ChildSa[];
  establishedAt?: Date;
  /** Why the SA failed, in one line, for `ipsec up` and the log. */
  failure?: { code: string; message: string };
}

export function newIkeSaData(init: {
  id: number;
  initiator: boolean;
  state: StateMachine<IkeSaState>;
  spiI: Buffer;
  spiR: Buffer;
  local: Endpoint;
  remote: Endpoint;
  retransmit: RetransmitPolicy;
  conn?: IkeConn;
}): IkeSaData {
  const data: IkeSaData = {
    id: init.id,
    initiator: init.initiator,
    state: init.state,
    spiI: init.spiI,
    spiR: init.spiR,
    local: init.local,
    remote: init.remote,
    requests: new RequestWindow(init.retransmit),
    responses: new ResponseWindow(),
    natLocal: false,
    natRemote: false,
    peerFragmentation: false,
    peerCertReq: false,
    initRestarts: 0,
    children: [],
  };
  if (init.conn) data.conn = init.conn;
  return data;
}

/** Our own IKE SPI (the one the peer addresses us by). */
export function localSpi(sa: IkeSaData): Buffer {
  return sa.initiator ? sa.spiI : sa.spiR;
}

/**
 * Once the SA is established, what only IKE_SA_INIT and IKE_AUTH needed
 * goes: both IKE_SA_INIT messages (signed by AUTH), the nonces (CHILD SA
 * keys of IKE_AUTH), our key-exchange private value and the proposals we
 * offered. An IKE SA lives for hours; these would be most of its memory.
 */
export function forgetHandshake(sa: IkeSaData): void {
  sa.ke?.dispose();
  sa.ke = undefined;
  sa.initRequest = undefined;
  sa.initResponse = undefined;
  sa.nonceI = undefined;
  sa.nonceR = undefined;
  sa.sentIkeProposals = undefined;
}
