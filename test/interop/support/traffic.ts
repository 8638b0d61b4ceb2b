// Pings both ways between two lab hosts while both egress interfaces are
// captured, and the one check every "only ESP on the wire" claim uses.
// The same check must fail on a control run without IPsec; the tests run
// one, so a broken capture cannot pass silently.

import { Capture, type CaptureSummary } from '../../lab/capture.js';
import { ping, type PingResult } from '../../lab/ping.js';

export interface PingPath {
  /** Namespace the echo requests start from. */
  ns: string;
  dst: string;
  /** Source address (tunnel mode: an address of the inside network). */
  src?: string;
}

export interface TwoWayTraffic {
  there: PingResult;
  back: PingResult;
  /** Egress of the first path's host, then of the second's. */
  egress: [CaptureSummary, CaptureSummary];
}

/** `count` pings along `there`, then along `back`, with both hosts' egress (wan0) captured. */
export async function pingBothWays(there: PingPath, back: PingPath, count = 3): Promise<TwoWayTraffic> {
  const captures = [await Capture.start(there.ns), await Capture.start(back.ns)];
  try {
    const a = await ping(there.ns, there.dst, { count, ...(there.src ? { src: there.src } : {}) });
    const b = await ping(back.ns, back.dst, { count, ...(back.src ? { src: back.src } : {}) });
    const [first, second] = await Promise.all(captures.map((c) => c.stop()));
    return { there: a, back: b, egress: [first!, second!] };
  } catch (error) {
    await Promise.all(captures.map((c) => c.kill()));
    throw error;
  }
}

/**
 * Throws unless every ping was answered and each host's egress carried
 * exactly 2*count ESP packets (its requests and its replies) and no echo
 * in the clear; returns the SPIs seen on each host's egress.
 */
export function assertOnlyEsp(traffic: TwoWayTraffic, count = 3): [number[], number[]] {
  const problems: string[] = [];
  if (traffic.there.received !== count) problems.push(`pings there: ${traffic.there.received}/${count} answered\n${traffic.there.output}`);
  if (traffic.back.received !== count) problems.push(`pings back: ${traffic.back.received}/${count} answered\n${traffic.back.output}`);
  traffic.egress.forEach((summary, i) => {
    const host = i === 0 ? 'first host' : 'second host';
    if (summary.cleartextEcho !== 0) problems.push(`${host}: ${summary.cleartextEcho} echo packets in the clear`);
    if (summary.esp !== 2 * count) problems.push(`${host}: ${summary.esp} ESP packets on egress, expected ${2 * count}`);
    if (problems.length && summary.packets.length) problems.push(`${host} egress:\n  ${summary.packets.map((p) => p.line).join('\n  ')}`);
  });
  if (problems.length) throw new Error(`not only ESP on the wire:\n${problems.join('\n')}`);
  return [[...traffic.egress[0].bySpi.keys()], [...traffic.egress[1].bySpi.keys()]];
}

/** SPI (8 hex digits, as status prints it) to the number the capture reports. */
export function spiNumber(hex: string): number {
  return Number.parseInt(hex, 16);
}
