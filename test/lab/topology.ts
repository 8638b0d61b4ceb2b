// Two hosts for data-plane tests, built from network namespaces inside the
// kernel lab (documentation prefixes only):
//
//   direct:  left  wan0 192.0.2.1/24 2001:db8::1/64 <--veth--> wan0 192.0.2.2/24 2001:db8::2/64  right
//   nat:     left  wan0 100.64.0.2/10 <--> lan0 100.64.0.1/10 [nat] wan0 192.0.2.1/24 <--> wan0 192.0.2.2/24  right
//                  (nat masquerades 100.64.0.0/10 behind 192.0.2.1, optionally with fully-random
//                  ports, and like a home router drops what the outside starts)
//
// Each host also has an inside network on a dummy interface `inside0`
// (left 198.51.100.1/24 2001:db8:1::1/64, right 203.0.113.1/24
// 2001:db8:2::1/64) and a default route towards the other side, so that
// cleartext control runs work and site-to-site tests have somewhere to route.
// The veth ends have fixed MAC addresses and each host a permanent neighbour
// entry for the other: no ARP or neighbour discovery races with a test's
// packet counts (a unicast IPv6 neighbour probe between two hosts is itself
// traffic that a transport-mode policy encrypts).
// IPv6 exists only in the direct variant (the NAT is IPv4). Namespace names
// are unique per topology, so tests in parallel never collide; destroy()
// stops what the topology's users registered and deletes the namespaces.

import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { ipBatch, run, shIn, stop } from './netns.js';

export interface LabHost {
  /** The role in the topology. */
  role: 'left' | 'right' | 'nat';
  /** The network namespace name (unique per topology). */
  ns: string;
  /** Interface towards the peer (or towards the NAT). */
  wan: string;
  /** Address on `wan` (left behind NAT: its private 100.64.0.2). */
  outer4: string;
  /** IPv6 address on `wan` (direct variant only). */
  outer6?: string;
  inside4: string;
  inside6: string;
  insideNet4: string;
  insideNet6: string;
}

export interface NatOptions {
  /** Rewrite source ports randomly (nftables `masquerade fully-random`). */
  fullyRandom?: boolean;
}

export interface TopologyOptions {
  /** Put left behind a NAT namespace. */
  nat?: boolean | NatOptions;
}

export interface Topology {
  /** Short unique id, also the namespaces' prefix. */
  id: string;
  left: LabHost;
  right: LabHost;
  /** The NAT router, in the NAT variant. */
  nat?: LabHost;
  /** The address right sees left's traffic coming from (the NAT's public address, or left's own). */
  leftPublic4: string;
  /** Stop this process when the topology is destroyed (before its namespace goes). */
  adopt(child: ChildProcess): ChildProcess;
  /** Register any teardown step; runs in reverse order before the namespaces are deleted. */
  onDestroy(step: () => Promise<void> | void): void;
  destroy(): Promise<void>;
}

let sequence = 0;

export async function createTopology(options: TopologyOptions = {}): Promise<Topology> {
  const natOptions: NatOptions | undefined = options.nat === true ? {} : options.nat || undefined;
  const id = `nsw${process.pid % 10000}${(sequence++).toString(36)}${randomBytes(2).toString('hex')}`;
  const names = { left: `${id}-left`, right: `${id}-right`, nat: `${id}-nat` };

  const left: LabHost = natOptions
    ? host('left', names.left, '100.64.0.2', undefined, '198.51.100.1', '2001:db8:1::1', '198.51.100.0/24', '2001:db8:1::/64')
    : host('left', names.left, '192.0.2.1', '2001:db8::1', '198.51.100.1', '2001:db8:1::1', '198.51.100.0/24', '2001:db8:1::/64');
  const right = host('right', names.right, '192.0.2.2', natOptions ? undefined : '2001:db8::2', '203.0.113.1', '2001:db8:2::1', '203.0.113.0/24', '2001:db8:2::/64');
  const nat: LabHost | undefined = natOptions
    ? { role: 'nat', ns: names.nat, wan: 'wan0', outer4: '192.0.2.1', inside4: '100.64.0.1', inside6: '', insideNet4: '100.64.0.0/10', insideNet6: '' }
    : undefined;

  const teardown: Array<() => Promise<void> | void> = [];
  const created: string[] = [];
  const topology: Topology = {
    id,
    left,
    right,
    nat,
    leftPublic4: nat ? nat.outer4 : left.outer4,
    adopt(child) {
      teardown.push(() => stop(child));
      return child;
    },
    onDestroy(step) {
      teardown.push(step);
    },
    async destroy() {
      const errors: unknown[] = [];
      for (const step of teardown.splice(0).reverse()) {
        try {
          await step();
        } catch (error) {
          errors.push(error);
        }
      }
      if (created.length) {
        await ipBatch(undefined, created.splice(0).map((ns) => `netns del ${ns}`)).catch((error) => errors.push(error));
      }
      if (errors.length) throw new AggregateError(errors, `topology ${id}: teardown failed`);
    },
  };

  try {
    const namespaces = nat ? [left.ns, nat.ns, right.ns] : [left.ns, right.ns];
    await ipBatch(undefined, [
      ...namespaces.map((ns) => `netns add ${ns}`),
      ...(nat
        ? [`link add wan0 netns ${left.ns} type veth peer name lan0 netns ${nat.ns}`, `link add wan0 netns ${nat.ns} type veth peer name wan0 netns ${right.ns}`]
        : [`link add wan0 netns ${left.ns} type veth peer name wan0 netns ${right.ns}`]),
    ]);
    created.push(...namespaces);

    const leftMac = '02:6e:73:00:00:01';
    const rightMac = '02:6e:73:00:00:02';
    const leftGatewayMac = '02:6e:73:00:00:03'; // the NAT's lan0
    const rightGatewayMac = nat ? '02:6e:73:00:00:04' : leftMac; // the NAT's wan0, or left
    await ipBatch(left.ns, [
      `link set wan0 address ${leftMac}`,
      ...hostLines(left),
      `neigh add ${nat ? nat.inside4 : right.outer4} lladdr ${nat ? leftGatewayMac : rightMac} dev wan0 nud permanent`,
      ...(left.outer6 && right.outer6 ? [`neigh add ${right.outer6} lladdr ${rightMac} dev wan0 nud permanent`] : []),
      `route add default via ${nat ? nat.inside4 : right.outer4}`,
      ...(left.outer6 && right.outer6 ? [`route add ::/0 via ${right.outer6}`] : []),
    ]);
    await ipBatch(right.ns, [
      `link set wan0 address ${rightMac}`,
      ...hostLines(right),
      `neigh add ${nat ? nat.outer4 : left.outer4} lladdr ${rightGatewayMac} dev wan0 nud permanent`,
      ...(left.outer6 && right.outer6 ? [`neigh add ${left.outer6} lladdr ${leftMac} dev wan0 nud permanent`] : []),
      `route add default via ${nat ? nat.outer4 : left.outer4}`,
      ...(left.outer6 && right.outer6 ? [`route add ::/0 via ${left.outer6}`] : []),
    ]);
    if (nat && natOptions) {
      await ipBatch(nat.ns, [
        `link set lan0 address ${leftGatewayMac}`,
        `link set wan0 address ${rightGatewayMac}`,
        'link set lo up',
        'link set lan0 up',
        'link set wan0 up',
        `addr add ${nat.inside4}/10 dev lan0`,
        `addr add ${nat.outer4}/24 dev wan0`,
        `neigh add ${left.outer4} lladdr ${leftMac} dev lan0 nud permanent`,
        `neigh add ${right.outer4} lladdr ${rightMac} dev wan0 nud permanent`,
      ]);
      const masquerade = natOptions.fullyRandom ? 'masquerade fully-random' : 'masquerade';
      await shIn(nat.ns, 'echo 1 >/proc/sys/net/ipv4/ip_forward\nnft -f -', {
        input: [
          'table ip nodeswan_nat {',
          '  chain postrouting {',
          '    type nat hook postrouting priority srcnat; policy accept;',
          `    oifname "wan0" ip saddr ${nat.insideNet4} ${masquerade}`,
          '  }',
          '  chain forward {',
          '    type filter hook forward priority filter; policy accept;',
          '    iifname "wan0" ct state != { established, related } drop',
          '  }',
          '}',
        ].join('\n'),
      });
    }
  } catch (error) {
    await topology.destroy().catch(() => {});
    throw error;
  }
  return topology;
}

function host(
  role: 'left' | 'right',
  ns: string,
  outer4: string,
  outer6: string | undefined,
  inside4: string,
  inside6: string,
  insideNet4: string,
  insideNet6: string,
): LabHost {
  return { role, ns, wan: 'wan0', outer4, outer6, inside4, inside6, insideNet4, insideNet6 };
}

function hostLines(h: LabHost): string[] {
  const prefix4 = h.outer4.startsWith('100.64.') ? 10 : 24;
  return [
    'link set lo up',
    `link set ${h.wan} up`,
    `addr add ${h.outer4}/${prefix4} dev ${h.wan}`,
    ...(h.outer6 ? [`addr add ${h.outer6}/64 dev ${h.wan} nodad`] : []),
    'link add inside0 type dummy',
    'link set inside0 up',
    `addr add ${h.inside4}/24 dev inside0`,
    `addr add ${h.inside6}/64 dev inside0 nodad`,
  ];
}

/** Lists the namespaces that exist now (for leak checks). */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}
