// NAT traversal rules that do not fit one exchange: when UDP encapsulation
// is forced, why AH cannot cross a NAT, when keepalives are due, and what a
// new peer port means for the installed CHILD SAs (RFC 3948, RFC 7296 §2.23).

import type { ChildSaParams } from '../child-params.js';
import type { IkeConn } from '../conn.js';
import type { Endpoint } from '../../net/transport.js';

/** RFC 3948 §4 suggests 20 s: short enough for common NAT binding timeouts. */
export const NAT_KEEPALIVE_INTERVAL_MS = 20_000;

/** The one-octet NAT-T keepalive (RFC 3948 §2.3); the transport sends it without the non-ESP marker. */
export const NAT_KEEPALIVE = Buffer.from([0xff]);

export const AH_NAT_CODE = 'AH_BEHIND_NAT';

export function forcesEncapsulation(conn: IkeConn | undefined): boolean {
  return conn?.forceEncaps === true;
}

/** encapsulation=no: no NAT-D is sent, a detected NAT does not move us to 4500 or encapsulate ESP. */
export function neverEncapsulates(conn: IkeConn | undefined): boolean {
  return conn?.neverEncaps === true;
}

/** What a conn with encapsulation=no does when a NAT shows up anyway. */
export function explainNoEncapsulation(connName: string, natLocal: boolean, natRemote: boolean): string {
  const where = natLocal && natRemote ? 'both sides are behind a NAT' : natLocal ? 'we are behind a NAT' : 'the peer is behind a NAT';
  return (
    `conn '${connName}': ${where}, but encapsulation=no: staying on port 500 with plain ESP (IP protocol 50), ` +
    `which most NATs do not pass; set encapsulation=auto to use UDP encapsulation`
  );
}

/** The conn can only make AH CHILD SAs (every proposal is AH). */
export function needsAh(conn: IkeConn): boolean {
  return conn.childProposals.length > 0 && conn.childProposals.every((p) => p.protocol === 'ah');
}

/** Why an AH CHILD SA is refused across a NAT, and what to use instead. */
export function explainAhNat(connName: string, natLocal: boolean, natRemote: boolean, forced: boolean): string {
  const where = forced ? 'UDP encapsulation is forced (forceencaps)' : natLocal && natRemote ? 'both sides are behind a NAT' : natLocal ? 'a NAT is between us and the peer (we are behind it)' : 'a NAT is between us and the peer (the peer is behind it)';
  return (
    `conn '${connName}': AH CHILD SA refused: ${where}. AH authenticates the outer IP addresses, which a NAT rewrites, ` +
    `and UDP encapsulation (RFC 3948) exists for ESP only; use ESP with integrity only instead (e.g. esp=null-sha256)`
  );
}

/**
 * The CHILD SAs whose UDP encapsulation must follow the peer to a new port
 * (its NAT mapping changed). A new peer address is not handled here: the
 * SAs are keyed by address, moving them is MOBIKE's job.
 */
export function remapped(children: readonly ChildSaParams[], before: Endpoint, after: Endpoint): ChildSaParams[] {
  if (before.address !== after.address || before.port === after.port) return [];
  return children
    .filter((c) => c.encap !== undefined && c.encap.remotePort === before.port)
    .map((c) => ({ ...c, encap: { localPort: c.encap!.localPort, remotePort: after.port } }));
}
