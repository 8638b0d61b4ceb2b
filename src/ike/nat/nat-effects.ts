// What the IKE SA does for NAT traversal once established: keepalives from
// the side behind the NAT, and following the peer's NAT mapping to a new
// port without tearing anything down (RFC 3948 §4, RFC 7296 §2.23).

import type { Endpoint } from '../../net/transport.js';
import { effect, type Effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { NAT_KEEPALIVE, NAT_KEEPALIVE_INTERVAL_MS, remapped } from './nat-rules.js';

/** Only the side behind a NAT needs its mapping kept open. */
export function wantsKeepalives(sa: IkeSaData): boolean {
  return sa.natLocal && sa.state.is('ESTABLISHED');
}

export function keepaliveEffects(sa: IkeSaData): Effect[] {
  if (!wantsKeepalives(sa)) return [];
  return [
    { kind: 'resend', datagrams: [NAT_KEEPALIVE] },
    { kind: 'arm-timer', timer: 'keepalive', ms: NAT_KEEPALIVE_INTERVAL_MS },
  ];
}

/**
 * The peer now reaches us from `after` (its NAT gave it a new port): the
 * CHILD SAs' UDP encapsulation is updated in the kernel, in place (same
 * SPIs, keys and counters). The SA's params follow once applied.
 */
export function mappingEffects(sa: IkeSaData, before: Endpoint, after: Endpoint): Effect[] {
  if (!sa.state.is('ESTABLISHED')) return [];
  const live = sa.children.filter((c) => c.state.is('INSTALLED'));
  const moved = remapped(
    live.map((c) => c.params),
    before,
    after,
  );
  if (moved.length === 0) return [];
  return [
    effect.log(sa.id, 'info', `peer's NAT mapping moved from port ${before.port} to ${after.port}; updating UDP encapsulation of ${moved.length} CHILD SA(s)`),
    ...moved.map((child) => ({ kind: 'update-child-encap' as const, child })),
  ];
}
