// The environment an updown script sees, as a pure function of the event:
// the PLUTO_* variables of the `_updown` interface (version 1.1), so scripts
// written for strongSwan or Libreswan keep working. One invocation per pair
// of our and the peer's traffic selectors of the same address family, like
// the policies the kernel got.

import { bitsOf, formatIp, parseIp, type Family } from '../ike/ip.js';
import type { UpdownEvent, UpdownSelector } from './updown-event.js';

export interface UpdownInvocation {
  /** up-client, down-host-v6, route-client, ... */
  verb: string;
  my: UpdownSelector;
  peer: UpdownSelector;
  /** Our selector is our own IKE address alone (host-to-host, transport). */
  isHost: boolean;
  family: Family;
  env: Record<string, string>;
}

export interface UpdownEnvContext {
  /** PATH for the script (the daemon's own, as strongSwan passes it). */
  path?: string;
  /** The network interface that carries our IKE address. */
  interfaceName?: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ICMP = 1;
const ICMPV6 = 58;

/** The largest prefix that contains the whole range, as strongSwan's scripts expect "net/bits". */
export function coveringPrefix(ts: UpdownSelector): { net: string; bits: number; mask: string; family: Family } {
  const start = parseIp(ts.startAddress);
  const end = parseIp(ts.endAddress);
  const width = bitsOf(start.family);
  let bits = width;
  while (bits > 0 && start.value >> BigInt(width - bits) !== end.value >> BigInt(width - bits)) bits--;
  const all = (1n << BigInt(width)) - 1n;
  const maskValue = all ^ ((1n << BigInt(width - bits)) - 1n);
  return {
    net: formatIp({ family: start.family, value: start.value & maskValue }),
    bits,
    mask: formatIp({ family: start.family, value: maskValue }),
    family: start.family,
  };
}

function isSingleAddress(ts: UpdownSelector, address: string): boolean {
  try {
    const a = parseIp(address).value;
    return parseIp(ts.startAddress).value === a && parseIp(ts.endAddress).value === a;
  } catch {
    return false;
  }
}

/** For ICMP the "ports" carry type (ours) and code (the peer's), as in the TS encoding (RFC 7296 §3.13.1). */
function ports(my: UpdownSelector, peer: UpdownSelector): { mine: number; peers: number } {
  const proto = Math.max(my.protocol, peer.protocol);
  if (proto === ICMP || proto === ICMPV6) {
    const port = Math.max(my.startPort, peer.startPort);
    return { mine: port >> 8, peers: port & 0xff };
  }
  return { mine: my.startPort, peers: peer.startPort };
}

function familyOfTs(ts: UpdownSelector): Family {
  return parseIp(ts.startAddress).family;
}

function markText(mark: { value: number; mask: number }): string {
  return `${mark.value >>> 0}/0x${(mark.mask >>> 0).toString(16).padStart(8, '0')}`;
}

export function verbFor(phase: UpdownEvent['phase'], isHost: boolean, family: Family): string {
  return `${phase}-${isHost ? 'host' : 'client'}${family === 6 ? '-v6' : ''}`;
}

/** Every (ours, peer's) selector pair of one family, in negotiated order. */
export function selectorPairs(event: UpdownEvent): { my: UpdownSelector; peer: UpdownSelector }[] {
  const pairs: { my: UpdownSelector; peer: UpdownSelector }[] = [];
  for (const my of event.myTs) {
    for (const peer of event.peerTs) {
      if (familyOfTs(my) === familyOfTs(peer)) pairs.push({ my, peer });
    }
  }
  return pairs;
}

export function updownInvocations(event: UpdownEvent, context: UpdownEnvContext = {}): UpdownInvocation[] {
  return selectorPairs(event).map(({ my, peer }) => {
    const isHost = isSingleAddress(my, event.me);
    const family = isHost ? (parseIp(event.me).family) : familyOfTs(my);
    const verb = verbFor(event.phase, isHost, family);
    const mine = coveringPrefix(my);
    const theirs = coveringPrefix(peer);
    const port = ports(my, peer);
    const env: Record<string, string> = {
      PATH: context.path ?? DEFAULT_PATH,
      PLUTO_VERSION: '1.1',
      PLUTO_VERB: verb,
      PLUTO_CONNECTION: event.conn,
      PLUTO_INTERFACE: context.interfaceName ?? 'unknown',
      PLUTO_REQID: String(event.reqid),
      PLUTO_PROTO: event.protocol,
    };
    if (event.uniqueId !== undefined) env.PLUTO_UNIQUEID = String(event.uniqueId);
    Object.assign(env, {
      PLUTO_ME: event.me,
      PLUTO_MY_ID: event.myId,
      PLUTO_MY_CLIENT: `${mine.net}/${mine.bits}`,
      PLUTO_MY_CLIENT_NET: mine.net,
      PLUTO_MY_CLIENT_MASK: mine.mask,
      PLUTO_MY_PORT: String(port.mine),
      PLUTO_MY_PROTOCOL: String(my.protocol),
      PLUTO_PEER: event.peer,
      PLUTO_PEER_ID: event.peerId,
      PLUTO_PEER_CLIENT: `${theirs.net}/${theirs.bits}`,
      PLUTO_PEER_CLIENT_NET: theirs.net,
      PLUTO_PEER_CLIENT_MASK: theirs.mask,
      PLUTO_PEER_PORT: String(port.peers),
      PLUTO_PEER_PROTOCOL: String(peer.protocol),
    });
    if (event.xauthId !== undefined) env.PLUTO_XAUTH_ID = event.xauthId;
    if (event.markIn && event.markIn.value !== 0) env.PLUTO_MARK_IN = markText(event.markIn);
    if (event.markOut && event.markOut.value !== 0) env.PLUTO_MARK_OUT = markText(event.markOut);
    if (event.udpEncap !== undefined) env.PLUTO_UDP_ENC = String(event.udpEncap);
    if (event.hostAccess) env.PLUTO_HOST_ACCESS = '1';
    return { verb, my, peer, isHost, family, env };
  });
}
