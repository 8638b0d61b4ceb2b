// Status snapshots for `ipsec status`: IKE SAs and their CHILD SAs as plain
// JSON-able data (the daemon's Engine seam types).

import type { StatusChildSa, StatusConn, StatusIkeSa } from '../daemon/engine.js';
import type { KernelBackend, SaState } from '../kernel/backend.js';
import type { IkeConn } from './conn.js';
import { formatIdentity } from './identity.js';
import { ikeStatusName } from './ike-sa-state.js';
import type { IkeSa } from './ike-sa.js';
import { formatProposal } from './proposal.js';
import { formatTs } from './traffic-selectors.js';
import type { Trap } from './trap-table.js';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function connStatus(conn: IkeConn, trap?: Trap): StatusConn {
  const status: StatusConn = {
    name: conn.name,
    auto: conn.auto ?? 'add',
    local: conn.localAddress,
    remote: conn.remoteAddress,
    localSubnets: conn.localTs.map(formatTs),
    remoteSubnets: conn.remoteTs.map(formatTs),
    mode: conn.mode,
    auth: conn.localAuth,
  };
  if (trap) status.trap = { reason: trap.reason, reqid: trap.reqid };
  return status;
}

/** Kernel counters per inbound/outbound SPI, looked up once per status call. */
export type Counters = Map<string, SaState>;

export async function kernelCounters(kernel: KernelBackend): Promise<Counters> {
  const map: Counters = new Map();
  try {
    for (const sa of await kernel.listSas()) map.set(`${sa.dst}/${sa.spi}`, sa);
  } catch {
    // Status must work even when the kernel cannot be read; counters show 0.
  }
  return map;
}

export function ikeSaStatus(sa: IkeSa, counters?: Counters): StatusIkeSa {
  const d = sa.data;
  const status: StatusIkeSa = {
    name: d.conn?.name ?? '(unknown)',
    uniqueId: d.id,
    state: ikeStatusName(d.state.state),
    initiator: d.initiator,
    localAddress: `${d.local.address}[${d.local.port}]`,
    remoteAddress: `${d.remote.address}[${d.remote.port}]`,
    localId: d.localId ? formatIdentity(d.localId) : '',
    remoteId: d.peerId ? formatIdentity(d.peerId) : '',
    spiI: d.spiI.toString('hex'),
    spiR: d.spiR.toString('hex'),
    proposal: d.ikeProposal ? formatProposal(d.ikeProposal) : '',
    natLocal: d.natLocal,
    natRemote: d.natRemote,
    children: d.children
      .filter((c) => c.state.is('INSTALLED', 'DELETING'))
      .map((c): StatusChildSa => {
        const p = c.params;
        const inbound = counters?.get(`${p.localAddress}/${p.spiIn}`);
        const outbound = counters?.get(`${p.remoteAddress}/${p.spiOut}`);
        const child: StatusChildSa = {
          name: p.connName,
          reqid: p.reqid,
          state: c.state.state,
          mode: p.mode,
          protocol: p.protocol,
          encap: p.encap !== undefined,
          spiIn: hex(p.spiIn, 8),
          spiOut: hex(p.spiOut, 8),
          proposal: p.proposal,
          localTs: p.localTs.map(formatTs),
          remoteTs: p.remoteTs.map(formatTs),
          bytesIn: inbound?.current.bytes ?? 0,
          bytesOut: outbound?.current.bytes ?? 0,
          packetsIn: inbound?.current.packets ?? 0,
          packetsOut: outbound?.current.packets ?? 0,
          installedAt: (c.installedAt ?? new Date(0)).toISOString(),
        };
        const rekeyAt = sa.rekeyDue(c.id);
        if (rekeyAt && c.state.is('INSTALLED')) child.rekeyAt = rekeyAt.toISOString();
        // The kernel removes the SA at its hard lifetime, counted from installation.
        if (c.installedAt && p.lifetime?.hardSeconds) child.expiresAt = new Date(c.installedAt.getTime() + p.lifetime.hardSeconds * 1000).toISOString();
        return child;
      }),
  };
  if (d.establishedAt) status.establishedAt = d.establishedAt.toISOString();
  const rekeyAt = sa.rekeyDue();
  if (rekeyAt && d.state.is('ESTABLISHED')) status.rekeyAt = rekeyAt.toISOString();
  return status;
}
