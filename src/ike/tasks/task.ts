// What every task shares: the environment it may read (never I/O: random
// bytes and lookups only), its result, and small payload builders.

import type { Effect } from '../effects.js';
import type { IkeConn } from '../conn.js';
import type { IkeSaData } from '../ike-sa-data.js';
import type { Identity } from '../identity.js';
import type { CredentialStore } from '../credentials.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import type { NotifyPayload } from '../../wire/payloads/notify.js';

export interface TaskEnv {
  random(size: number): Buffer;
  conns(): readonly IkeConn[];
  /** The pre-shared key for this pair of IDs (ipsec.secrets rules), if any. */
  psk(localId: Identity, peerId: Identity): Uint8Array | undefined;
  /** Accept MODP 768/1024/1536 when a conn asks for them. */
  allowWeakGroups: boolean;
  /** Certificates, keys and trust anchors loaded with the config. */
  credentials(): CredentialStore;
  /** Wall-clock time, for certificate validity. */
  now(): Date;
  /** Allocate a CHILD SA handle (unique per engine). */
  nextChildId(): number;
  /** Reqid for a conn's CHILD SAs (stable per conn). */
  reqidFor(conn: IkeConn): number;
  /**
   * True when this IKE SA is our only one with its peer, so IKE_AUTH may
   * carry INITIAL_CONTACT (which makes the peer forget every other SA
   * between the two identities). Absent: always.
   */
  firstContact?(sa: IkeSaData): boolean;
  /** False with uniqueids=never: a peer's INITIAL_CONTACT does not clear its older SAs. Absent: true. */
  honoursInitialContact?(): boolean;
}

export interface Failure {
  code: string;
  message: string;
}

export interface TaskResult {
  effects: Effect[];
  /** The IKE SA cannot go on; it is destroyed after the effects are applied. */
  failed?: Failure;
  /** The IKE SA ended normally (deleted); destroyed after the effects. */
  closed?: string;
}

export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0), protocolId = 0, spi: Uint8Array = new Uint8Array(0)): NotifyPayload {
  return { type: PayloadType.N, critical: false, protocolId, spi, notifyType, data };
}

export function u16(value: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

export const ZERO_SPI = Buffer.alloc(8);
