// `leftfirewall=yes` as nftables rules, pure: which accept rules one
// (ours, peer's) selector pair of a CHILD SA gets. They mirror what the
// classic `_updown` script does with iptables: traffic between the two
// client subnets through FORWARD, or to/from the gateway itself through
// INPUT/OUTPUT for host-to-host SAs (and for lefthostaccess=yes), each rule
// bound to the CHILD SA's policies by `ipsec in|out reqid`, so only
// traffic that really came out of (or goes into) this tunnel matches.

import { parseIp, rangeToCidrs } from '../ike/ip.js';
import type { UpdownInvocation } from './updown-env.js';
import type { UpdownEvent, UpdownSelector } from './updown-event.js';

export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'nodeswan';
export type NftChain = 'input' | 'forward' | 'output';
export const NFT_CHAINS: readonly NftChain[] = ['input', 'forward', 'output'];

export interface FirewallRule {
  chain: NftChain;
  /** The rule body after `add rule inet nodeswan <chain>`. */
  body: string;
}

/** nft statements that create the table and its base chains (idempotent: `add` keeps existing ones). */
export function tableSetup(): string[] {
  return [
    `add table ${NFT_FAMILY} ${NFT_TABLE}`,
    ...NFT_CHAINS.map((chain) => `add chain ${NFT_FAMILY} ${NFT_TABLE} ${chain} { type filter hook ${chain} priority filter; policy accept; }`),
  ];
}

const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]); // tcp, udp, dccp, sctp, udplite

function addressMatch(ts: UpdownSelector): string {
  const start = parseIp(ts.startAddress);
  const end = parseIp(ts.endAddress);
  const cidrs = rangeToCidrs(start.family, start.value, end.value);
  return cidrs.length === 1 ? cidrs[0]! : `${ts.startAddress}-${ts.endAddress}`;
}

function portMatch(ts: UpdownSelector): string | undefined {
  if (ts.startPort === 0 && ts.endPort === 65535) return undefined;
  return ts.startPort === ts.endPort ? String(ts.startPort) : `${ts.startPort}-${ts.endPort}`;
}

/** Match for packets from `src` to `dst` (the selectors' protocol and ports included). */
function flowMatch(src: UpdownSelector, dst: UpdownSelector, family: 4 | 6): string {
  const ip = family === 4 ? 'ip' : 'ip6';
  const parts = [`${ip} saddr ${addressMatch(src)}`, `${ip} daddr ${addressMatch(dst)}`];
  const protocol = src.protocol || dst.protocol;
  if (protocol) {
    parts.push(`meta l4proto ${protocol}`);
    if (PORT_PROTOCOLS.has(protocol)) {
      const sport = portMatch(src);
      const dport = portMatch(dst);
      if (sport) parts.push(`th sport ${sport}`);
      if (dport) parts.push(`th dport ${dport}`);
    }
  }
  return parts.join(' ');
}

/** A comment nft accepts (quoted string, at most 128 bytes) naming the conn and reqid. */
export function ruleComment(event: Pick<UpdownEvent, 'conn' | 'reqid'>): string {
  const safe = event.conn.replace(/[^A-Za-z0-9_.:@+-]/g, '_').slice(0, 96);
  return `nodeswan ${safe} reqid ${event.reqid}`;
}

export function firewallRules(event: UpdownEvent, invocation: UpdownInvocation): FirewallRule[] {
  const { my, peer, family, isHost } = invocation;
  // `counter` lets an admin (and the lab test) see that the rules match the tunnel's traffic.
  const tail = (dir: 'in' | 'out') => `ipsec ${dir} reqid ${event.reqid} counter accept comment "${ruleComment(event)}"`;
  const inbound = flowMatch(peer, my, family);
  const outbound = flowMatch(my, peer, family);
  if (isHost) {
    return [
      { chain: 'input', body: `${inbound} ${tail('in')}` },
      { chain: 'output', body: `${outbound} ${tail('out')}` },
    ];
  }
  const rules: FirewallRule[] = [
    { chain: 'forward', body: `${inbound} ${tail('in')}` },
    { chain: 'forward', body: `${outbound} ${tail('out')}` },
  ];
  if (event.hostAccess) {
    // The gateway itself, reached through the tunnel at its addresses in
    // the local subnet: the same flows, in the input and output chains
    // (which only see packets to and from this host).
    rules.push({ chain: 'input', body: `${inbound} ${tail('in')}` }, { chain: 'output', body: `${outbound} ${tail('out')}` });
  }
  return rules;
}
