// The most common lab set-up: a nodeswan daemon on each end of a topology,
// one conn between their outer IPv4 addresses authenticated by a PSK, both
// stopped when the topology is destroyed. `settings` are the conn's other
// lines, the same on both ends (each sees itself as left); `leftOnly` are
// added on the left end alone.

import { NodeswanDaemon } from './nodeswan.js';
import type { Topology } from './topology.js';

export async function startPskPair(topo: Topology, conn: string, settings: string[], psk: string, leftOnly: string[] = []): Promise<{ left: NodeswanDaemon; right: NodeswanDaemon }> {
  const conf = (me: 'left' | 'right') => {
    const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
    return [`conn ${conn}`, '    authby=secret', ...[...settings, ...(me === 'left' ? leftOnly : [])].map((s) => `    ${s}`), `    left=${l.outer4}`, `    right=${r.outer4}`, '    auto=add', ''].join('\n');
  };
  const secrets = `${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"\n`;
  const [left, right] = await Promise.all([
    NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: `${conn}-left` }),
    NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: `${conn}-right` }),
  ]);
  topo.onDestroy(() => left.destroy());
  topo.onDestroy(() => right.destroy());
  return { left, right };
}
