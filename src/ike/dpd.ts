// Dead peer detection (RFC 7296 §2.4). Every `dpddelay` we look at the
// inbound packet counters of the IKE SA's CHILD SAs in the kernel: traffic
// from the peer since the last look proves it alive, so nothing is sent.
// Otherwise an empty INFORMATIONAL request goes out; no answer within the
// retransmission schedule (or `dpdtimeout`, whichever ends first) declares
// the peer dead and `dpdaction` says what follows: clear (forget the SAs),
// hold (forget them; traffic waits for a new negotiation) or restart
// (negotiate the conn again at once).

import { ExchangeType } from '../wire/iana/exchange-types.js';
import type { KernelBackend } from '../kernel/backend.js';
import type { ChildSaParams } from './child-params.js';
import type { Effect } from './effects.js';
import type { IkeConn } from './conn.js';
import type { IkeSaData } from './ike-sa-data.js';
import { protectedRequest } from './protection.js';

export const DPD_DEAD_CODE = 'DPD_DEAD';

export interface DpdSettings {
  delayMs: number;
  timeoutMs: number;
  action: 'clear' | 'hold' | 'restart';
}

/** The conn's DPD settings, or undefined when DPD is off (dpdaction=none or dpddelay=0). */
export function dpdSettings(conn: IkeConn | undefined): DpdSettings | undefined {
  if (!conn?.dpdAction || conn.dpdAction === 'none') return undefined;
  const delay = conn.dpdDelaySeconds ?? 30;
  if (delay <= 0) return undefined;
  return { delayMs: delay * 1000, timeoutMs: (conn.dpdTimeoutSeconds ?? 150) * 1000, action: conn.dpdAction };
}

/** Inbound packets the peer sent us so far, over all CHILD SAs (a changing sum = alive). */
export function inboundPackets(counters: readonly (number | undefined)[]): number {
  return counters.reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** The empty INFORMATIONAL request that asks "are you there?". */
export function buildLivenessCheck(sa: IkeSaData): Effect[] {
  return [protectedRequest(sa, ExchangeType.INFORMATIONAL, [])];
}

/** Packets the kernel counted on one SA of a CHILD SA (found under its mark); undefined if it cannot tell. */
function packetsOf(kernel: KernelBackend, c: ChildSaParams, dir: 'in' | 'out'): Promise<number | undefined> {
  const [dst, spi, mark] = dir === 'in' ? [c.localAddress, c.spiIn, c.tags?.markIn] : [c.remoteAddress, c.spiOut, c.tags?.markOut];
  return kernel.querySa({ dst, spi, proto: c.protocol, ...(mark ? { mark } : {}) }).then((s) => s.current.packets, () => undefined);
}

/** Packets the kernel counted on a CHILD SA, both directions (inactivity=); undefined if it cannot tell. */
export async function countChildPackets(kernel: KernelBackend, c: ChildSaParams): Promise<number | undefined> {
  const [inbound, outbound] = await Promise.all([packetsOf(kernel, c, 'in'), packetsOf(kernel, c, 'out')]);
  return inbound === undefined || outbound === undefined ? undefined : inbound + outbound;
}

/** Sum of the kernel's inbound packet counters of these CHILD SAs (an SA the kernel lost counts 0). */
export async function countInboundPackets(kernel: KernelBackend, children: readonly ChildSaParams[]): Promise<number> {
  return inboundPackets(await Promise.all(children.map((c) => packetsOf(kernel, c, 'in'))));
}
