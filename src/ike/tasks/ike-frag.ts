// fragmentation= (RFC 7383 §2.3): what we announce in IKE_SA_INIT and
// whether we send fragments once both sides announced support.
//   yes    announce; fragment large messages when the peer announced too
//   force  as yes (IKE_SA_INIT is never fragmented in IKEv2)
//   accept announce (we reassemble) but always send whole messages
//   no     do not announce; the exchange is not fragmented either way

import { NotifyType } from '../../wire/iana/notify-types.js';
import type { Payload } from '../../wire/payload.js';
import type { IkeConn } from '../conn.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { notify } from './task.js';

function setting(conn: IkeConn | undefined): NonNullable<IkeConn['fragmentation']> {
  return conn?.fragmentation ?? 'yes';
}

/**
 * The notify for our IKE_SA_INIT. A responder answers it only when the
 * initiator sent it (`peerAnnounced`), as §2.3 requires.
 */
export function fragmentationNotify(conn: IkeConn | undefined, peerAnnounced?: boolean): Payload[] {
  if (setting(conn) === 'no' || peerAnnounced === false) return [];
  return [notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)];
}

/** Fragmentation is in use on this IKE SA: both sides announced it. */
export function negotiated(conn: IkeConn | undefined, peerAnnounced: boolean): boolean {
  return peerAnnounced && setting(conn) !== 'no';
}

/** We split our large messages (negotiated, and not `fragmentation=accept`). */
export function sendsFragments(sa: IkeSaData): boolean {
  return sa.peerFragmentation && setting(sa.conn) !== 'accept';
}
