// Extra address pairs on the lab's veth, so one pair of daemons can hold
// several connections to distinct peers, as a gateway with several remote
// sites does: pair i is left 192.0.2.(11+i) <-> right 192.0.2.(21+i), each
// with a permanent neighbour entry (no ARP racing packet counts, as in the
// topology itself), and, for tunnel mode, its own inside networks:
// 198.51.100.16(i+1)/28 behind left, 203.0.113.16(i+1)/28 behind right,
// with the first host address of each on the host's inside0.

import { ipBatch, run } from '../../lab/netns.js';
import type { Topology } from '../../lab/topology.js';

export interface AddressPair {
  left: string;
  right: string;
  leftSubnet: string;
  rightSubnet: string;
  /** An address of leftSubnet on left's inside0 (ping source/destination). */
  leftInside: string;
  rightInside: string;
}

export async function addAddressPairs(topo: Topology, count: number): Promise<AddressPair[]> {
  if (count > 14) throw new Error('addAddressPairs: at most 14 pairs (192.0.2.11-24 / .21-34 and /28 inside networks)');
  const pairs: AddressPair[] = [];
  for (let i = 0; i < count; i++) {
    const base = 16 * (i + 1);
    pairs.push({
      left: `192.0.2.${11 + i}`,
      right: `192.0.2.${21 + i}`,
      leftSubnet: `198.51.100.${base}/28`,
      rightSubnet: `203.0.113.${base}/28`,
      leftInside: `198.51.100.${base + 1}`,
      rightInside: `203.0.113.${base + 1}`,
    });
  }
  const mac = async (ns: string) => {
    const { stdout } = await run(['ip', '-n', ns, '-o', 'link', 'show', 'dev', 'wan0']);
    const found = /link\/ether (\S+)/.exec(stdout)?.[1];
    if (!found) throw new Error(`addAddressPairs: no MAC address on wan0 in ${ns}`);
    return found;
  };
  const [leftMac, rightMac] = await Promise.all([mac(topo.left.ns), mac(topo.right.ns)]);
  await Promise.all([
    ipBatch(topo.left.ns, pairs.flatMap((p) => [
      `addr add ${p.left}/24 dev wan0`,
      `addr add ${p.leftInside}/28 dev inside0`,
      `neigh replace ${p.right} lladdr ${rightMac} dev wan0 nud permanent`,
    ])),
    ipBatch(topo.right.ns, pairs.flatMap((p) => [
      `addr add ${p.right}/24 dev wan0`,
      `addr add ${p.rightInside}/28 dev inside0`,
      `neigh replace ${p.left} lladdr ${leftMac} dev wan0 nud permanent`,
    ])),
  ]);
  return pairs;
}
