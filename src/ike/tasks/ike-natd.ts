// NAT detection in IKE_SA_INIT (RFC 7296 §2.23): each side sends
// SHA-1(SPIi | SPIr | IP | port) of its own source and of the destination
// it sends to. A receiver whose own address/port does not hash to the
// peer's DESTINATION value is behind a NAT; a SOURCE value that does not
// match the datagram's source means the peer is.

import { natDetectionHash, natDetectionMatches } from '../../crypto/nat-detection.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { filterPayloads } from '../../wire/payload.js';
import type { Payload } from '../../wire/payload.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import type { Endpoint } from '../../net/transport.js';
import { notify } from './task.js';

/**
 * `fakeSource` (forceencaps): a random SOURCE hash that matches no address,
 * so the peer believes we are behind a NAT and both sides encapsulate.
 */
export function natdPayloads(spiI: Uint8Array, spiR: Uint8Array, local: Endpoint, remote: Endpoint, fakeSource?: Uint8Array): Payload[] {
  const src = fakeSource ? ({ ok: true, value: fakeSource } as const) : natDetectionHash(spiI, spiR, local);
  const dst = natDetectionHash(spiI, spiR, remote);
  // An unspecified local address cannot be hashed meaningfully; sending no
  // NAT-D then simply disables detection on the peer.
  if (!src.ok || !dst.ok) return [];
  return [notify(NotifyType.NAT_DETECTION_SOURCE_IP, src.value), notify(NotifyType.NAT_DETECTION_DESTINATION_IP, dst.value)];
}

export interface NatResult {
  /** The peer supports NAT-T (it sent NAT-D payloads). */
  supported: boolean;
  /** We are behind a NAT: the peer saw a different destination than our address. */
  natLocal: boolean;
  /** The peer is behind a NAT. */
  natRemote: boolean;
}

/** `local`/`remote` as this datagram arrived: our address and the peer's. */
export function processNatd(payloads: readonly Payload[], spiI: Uint8Array, spiR: Uint8Array, local: Endpoint, remote: Endpoint): NatResult {
  const notifies = filterPayloads(payloads, PayloadType.N);
  const srcHashes = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data);
  const dstHashes = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP).map((n) => n.data);
  if (srcHashes.length === 0 || dstHashes.length === 0) return { supported: false, natLocal: false, natRemote: false };
  const ours = natDetectionHash(spiI, spiR, local);
  const theirs = natDetectionHash(spiI, spiR, remote);
  return {
    supported: true,
    natLocal: ours.ok ? !natDetectionMatches(dstHashes, ours.value) : false,
    natRemote: theirs.ok ? !natDetectionMatches(srcHashes, theirs.value) : false,
  };
}
