// What a task asks for. Tasks are synchronous and pure: they read a decoded
// message and the SA's state and return a list of effects. The executor
// (executor.ts) is the one place that applies them.

import type { XfrmMark } from '../kernel/backend.js';
import type { ChildSaParams } from './child-params.js';
import type { TimerName } from './timers.js';

export interface SendRequest {
  kind: 'send-request';
  exchange: string;
  messageId: number;
  datagrams: Uint8Array[];
}

export interface SendResponse {
  kind: 'send-response';
  exchange: string;
  messageId: number;
  datagrams: Uint8Array[];
  /**
   * The response to send instead when a CHILD SA installed by this same
   * batch fails in the kernel (the CHILD SA payloads replaced by an error
   * notify), so the peer never installs an SA we do not have. A function
   * is called only then: sealing a second answer on every handshake costs
   * an encryption for the rare kernel failure.
   */
  ifChildFailed?: Uint8Array[] | (() => Uint8Array[]);
}

/** Send again what was sent before (a retransmission): not recorded anew. */
export interface Resend {
  kind: 'resend';
  datagrams: Uint8Array[];
}

/** Give back an SPI reserved with allocSpi that no installed CHILD SA uses. */
export interface ReleaseSpi {
  kind: 'release-spi';
  spi: number;
  /** The reserved SA's destination: our address. */
  dst: string;
  proto: 'esp' | 'ah';
  /** mark_in of the conn: the reserved SA carries it. */
  mark?: XfrmMark;
}

export interface InstallChild {
  kind: 'install-child';
  child: ChildSaParams;
  /**
   * False when the policies are already there (a rekeyed CHILD SA shares
   * the reqid and selectors of the one it replaces).
   */
  policies?: boolean;
  /**
   * False: install only the inbound SA; the outbound one follows with an
   * install-outbound effect (the responder of a rekey, rekey/outbound-handover.ts).
   */
  outbound?: boolean;
}

/** The outbound SA of an installed CHILD SA whose install held it back (outbound: false). */
export interface InstallOutbound {
  kind: 'install-outbound';
  child: ChildSaParams;
}

export interface DeleteChild {
  kind: 'delete-child';
  child: ChildSaParams;
  /** Another installed CHILD SA still uses the same policies. */
  keepPolicies?: boolean;
}

/** NAT mapping change: the installed SAs get the peer's new UDP port (same SPIs). */
export interface UpdateChildEncap {
  kind: 'update-child-encap';
  child: ChildSaParams;
}

export interface ArmTimer {
  kind: 'arm-timer';
  timer: TimerName;
  ms: number;
  qualifier?: string;
}

export interface CancelTimer {
  kind: 'cancel-timer';
  timer: TimerName;
  qualifier?: string;
}

export type SaEvent =
  | { type: 'ike-established'; ikeSaId: number }
  | { type: 'ike-failed'; ikeSaId: number; error: string; code: string }
  | { type: 'ike-deleted'; ikeSaId: number; reason: string }
  | { type: 'child-installed'; ikeSaId: number; childId: number }
  | { type: 'child-failed'; ikeSaId: number; childId?: number; error: string; code: string }
  | { type: 'child-deleted'; ikeSaId: number; childId: number }
  /**
   * The peer ended these conns' CHILD SAs (a Delete, not a rekey) or was
   * found dead; emitted before they leave the kernel, so a hold trap is in
   * the books before their policies go (closeaction / dpdaction).
   */
  | { type: 'children-closing'; ikeSaId: number; cause: 'dead-peer' | 'peer-deleted'; conns: string[] }
  | { type: 'log'; ikeSaId: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export interface Emit {
  kind: 'emit';
  event: SaEvent;
}

export type Effect = SendRequest | SendResponse | Resend | ReleaseSpi | InstallChild | InstallOutbound | DeleteChild | UpdateChildEncap | ArmTimer | CancelTimer | Emit;

export const effect = {
  log(ikeSaId: number, level: 'debug' | 'info' | 'warn' | 'error', message: string): Emit {
    return { kind: 'emit', event: { type: 'log', ikeSaId, level, message } };
  },
  emit(event: SaEvent): Emit {
    return { kind: 'emit', event };
  },
};
