// Updown events (src/updown) from the IKE core's data, pure. A CHILD SA is
// "up" for updown when its policies went into the kernel and "down" when
// they left it, so a rekey (the successor shares the policies) fires
// nothing, as with strongSwan. Route/unroute come from trap policies.

import type { UpdownEvent, UpdownSelector } from '../updown/updown-event.js';
import { wantsUpdown } from '../updown/updown-event.js';
import type { ChildSaParams } from './child-params.js';
import type { IkeConn } from './conn.js';
import { localTsOf, remoteTsOf } from './conn-lookup.js';
import { formatIdentity } from './identity.js';
import type { IkeSaData } from './ike-sa-data.js';
import { childProtocolOf } from './rekey/child-exchange.js';

function copyTs(list: readonly UpdownSelector[]): UpdownSelector[] {
  return list.map(({ protocol, startPort, endPort, startAddress, endAddress }) => ({ protocol, startPort, endPort, startAddress, endAddress }));
}

function connSettings(conn: IkeConn): Pick<UpdownEvent, 'conn' | 'script' | 'firewall' | 'hostAccess' | 'markIn' | 'markOut'> {
  return {
    conn: conn.name,
    // An empty leftupdown= (clearing an inherited one) runs nothing.
    ...(conn.updown ? { script: conn.updown } : {}),
    firewall: conn.firewall ?? false,
    hostAccess: conn.hostAccess ?? false,
    // PLUTO_MARK_IN / PLUTO_MARK_OUT, e.g. for a script that sets up a VTI.
    ...(conn.tags?.markIn ? { markIn: conn.tags.markIn } : {}),
    ...(conn.tags?.markOut ? { markOut: conn.tags.markOut } : {}),
  };
}

/** The event for a CHILD SA whose policies were installed ('up') or removed ('down'); undefined when the conn wants none. */
export function childUpdownEvent(phase: 'up' | 'down', child: ChildSaParams, sa: Pick<IkeSaData, 'id' | 'conn' | 'localId' | 'peerId'>): UpdownEvent | undefined {
  const conn = sa.conn;
  if (!conn) return undefined;
  const settings = connSettings(conn);
  if (!wantsUpdown(settings)) return undefined;
  return {
    phase,
    ...settings,
    reqid: child.reqid,
    protocol: child.protocol,
    mode: child.mode,
    uniqueId: sa.id,
    me: child.localAddress,
    peer: child.remoteAddress,
    myId: formatIdentity(sa.localId ?? conn.localId),
    peerId: formatIdentity(sa.peerId ?? conn.remoteId),
    myTs: copyTs(child.localTs),
    peerTs: copyTs(child.remoteTs),
    ...(child.encap ? { udpEncap: child.encap.remotePort } : {}),
  };
}

/**
 * The event for a conn's trap policies going in ('route') or out
 * ('unroute'): the configured selectors and identities, no IKE SA yet.
 */
export function routeUpdownEvent(phase: 'route' | 'unroute', conn: IkeConn, trap: { reqid: number; local: string; remote: string }): UpdownEvent | undefined {
  const settings = connSettings(conn);
  if (!wantsUpdown(settings)) return undefined;
  return {
    phase,
    ...settings,
    reqid: trap.reqid,
    protocol: childProtocolOf(conn),
    mode: conn.mode,
    me: trap.local,
    peer: trap.remote,
    myId: formatIdentity(conn.localId),
    peerId: formatIdentity(conn.remoteId),
    myTs: copyTs(localTsOf(conn, trap.local)),
    peerTs: copyTs(remoteTsOf(conn, trap.remote)),
  };
}
