// Which end of a conn is this host? ipsec.conf says `left` and `right`, and
// admins commonly ship one identical file to both gateways. Like the
// daemons they come from, nodeswan treats `left` as local unless `left` is
// not one of this host's addresses while `right` is: then the conn is
// flipped (every left*/right* pair swapped). Pure: the caller supplies the
// host's addresses, so this runs the same in tests and in the daemon.
import type { ConfigModel, ConnModel, HostSpec } from './model.js';

export type IsLocalAddress = (address: string) => boolean;

function isLocalHost(host: HostSpec, isLocal: IsLocalAddress): boolean {
  return host.kind === 'address' && isLocal(host.address);
}

/** True when the conn's `right` end is this host and its `left` end is not. */
export function needsFlip(conn: ConnModel, isLocal: IsLocalAddress): boolean {
  return !isLocalHost(conn.local.host, isLocal) && isLocalHost(conn.remote.host, isLocal);
}

export function orientConn(conn: ConnModel, isLocal: IsLocalAddress): ConnModel {
  if (!needsFlip(conn, isLocal)) return conn;
  // Marks and interface IDs are per direction (in/out), not per end: they stay.
  return { ...conn, local: conn.remote, remote: conn.local };
}

/** The model with every conn oriented; unchanged conns keep their identity. */
export function orientConfig(config: ConfigModel, isLocal: IsLocalAddress): ConfigModel {
  return { ...config, conns: config.conns.map((c) => orientConn(c, isLocal)) };
}
