// swanctl.conf sections for strongSwan as the peer, written the way its
// documentation shows them (connections { NAME { local {} remote {}
// children {} } }, secrets { ike-NAME { id-1 id-2 secret } }).

import type { SwanSection } from '../../lab/strongswan.js';

export interface SwanConnOptions {
  name: string;
  local: string;
  remote: string;
  /** IKE proposals, e.g. aes256gcm16-prfsha384-ecp384. */
  proposals: string;
  /** ESP proposals, e.g. aes256gcm16-ecp384. */
  espProposals: string;
  auth: { psk: string } | { cert: string; localId: string; remoteId: string };
  /** Tunnel mode between these subnets; transport mode between the hosts when absent. */
  subnets?: { local: string; remote: string };
}

/** One connection and, for a PSK, its secret, as sections to merge into a swanctl.conf. */
export function swanConnection(o: SwanConnOptions): { connection: SwanSection; secret?: SwanSection } {
  const psk = 'psk' in o.auth ? o.auth.psk : undefined;
  const local: SwanSection = 'cert' in o.auth ? { auth: 'pubkey', certs: o.auth.cert, id: o.auth.localId } : { auth: 'psk', id: o.local };
  const remote: SwanSection = 'cert' in o.auth ? { auth: 'pubkey', id: o.auth.remoteId } : { auth: 'psk', id: o.remote };
  const connection: SwanSection = {
    version: 2,
    local_addrs: o.local,
    remote_addrs: o.remote,
    proposals: o.proposals,
    local,
    remote,
    children: {
      [o.name]: {
        mode: o.subnets ? 'tunnel' : 'transport',
        esp_proposals: o.espProposals,
        ...(o.subnets ? { local_ts: o.subnets.local, remote_ts: o.subnets.remote } : {}),
        start_action: 'none',
      },
    },
  };
  return psk === undefined ? { connection } : { connection, secret: { id_1: o.local, id_2: o.remote, secret: JSON.stringify(psk) } };
}

/** A whole swanctl.conf from several connections. */
export function swanctlConf(conns: SwanConnOptions[]): SwanSection {
  const connections: SwanSection = {};
  const secrets: SwanSection = {};
  for (const conn of conns) {
    const { connection, secret } = swanConnection(conn);
    connections[conn.name] = connection;
    if (secret) secrets[`ike-${conn.name}`] = secret;
  }
  return { connections, secrets };
}
