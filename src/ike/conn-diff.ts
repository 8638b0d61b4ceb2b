// Does a reloaded conn differ from the one in force? `ipsec reload` tears
// down and re-establishes only changed conns, so a false "changed" costs a
// working tunnel its traffic. The comparison is by meaning, not by
// representation: key order, keys that are absent versus `undefined`,
// Buffer versus Uint8Array bytes, and an address that the same host name
// resolved to differently this time all compare equal. Secrets are not
// part of a conn: a changed PSK or key takes effect at the next
// authentication and never restarts a tunnel.

import type { IkeConn } from './conn.js';
import { IdType, type Identity } from './identity.js';
import { familyOf, ipToBytes } from './ip.js';

/** A canonical, order-independent text of any plain value. */
function canonical(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'u';
  if (value instanceof Uint8Array) return `b:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * The conn as compared: an end configured by host name is compared by that
 * name, not by the address it resolved to (round-robin DNS would otherwise
 * restart the tunnel on every reload; the new address is used from the next
 * negotiation on).
 */
function comparable(conn: IkeConn): IkeConn {
  const { localHostName, remoteHostName, ...out } = conn;
  if (localHostName !== undefined) {
    // An ID left to its default is the resolved address too.
    if (isAddressId(out.localId, out.localAddress)) out.localId = { type: 'any' };
    out.localAddress = `name:${localHostName}`;
  }
  if (remoteHostName !== undefined) {
    if (isAddressId(out.remoteId, out.remoteAddress)) out.remoteId = { type: 'any' };
    out.remoteAddress = `name:${remoteHostName}`;
  }
  return out;
}

function isAddressId(id: Identity, address: string): boolean {
  return id.type !== 'any' && (id.type === IdType.IPV4_ADDR || id.type === IdType.IPV6_ADDR) && sameAddress(id.value, address);
}

function sameAddress(a: string, b: string): boolean {
  const [x, y] = [familyOf(a), familyOf(b)];
  return x !== undefined && x === y && Buffer.from(ipToBytes(a)).equals(Buffer.from(ipToBytes(b)));
}

/** True when `a` and `b` configure the same SAs. */
export function sameConn(a: IkeConn, b: IkeConn): boolean {
  return canonical(comparable(a)) === canonical(comparable(b));
}

/** Which settings differ (top-level names), for the reload log line. */
export function changedSettings(a: IkeConn, b: IkeConn): string[] {
  const ca = comparable(a) as unknown as Record<string, unknown>;
  const cb = comparable(b) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
  return keys.filter((k) => canonical(ca[k]) !== canonical(cb[k]));
}
