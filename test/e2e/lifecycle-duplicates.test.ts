// Both ends run `ipsec up` for the same conn at the same moment (issue 6
// item 1, docs/lifecycle.md "Duplicate IKE SAs"): both commands succeed,
// and the end result is exactly one IKE SA and one CHILD SA pair, the same
// on both ends, in `ipsec status --json` and in `ip xfrm state`, with
// traffic flowing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ping } from '../lab/ping.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const PSK = 'a shared secret for the duplicates lab 4Hc8';

async function settled(left: NodeswanDaemon, right: NodeswanDaemon): Promise<[StatusSnapshot, StatusSnapshot]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [l, r] = [await left.status(), await right.status()];
    if (l.ikeSas.length === 1 && r.ikeSas.length === 1 && l.ikeSas[0]!.spiI === r.ikeSas[0]!.spiI) return [l, r];
    if (Date.now() > deadline) throw new Error(`duplicates not resolved:\n${JSON.stringify([l.ikeSas, r.ikeSas], null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('both ends ipsec up the same conn at once', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
      return `conn host\n    keyexchange=ikev2\n    type=transport\n    authby=secret\n    left=${l.outer4}\n    right=${r.outer4}\n    auto=add\n`;
    };
    const secrets = `${topo.left.outer4} ${topo.right.outer4} : PSK "${PSK}"\n`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('one IKE SA and one CHILD SA pair remain on both ends, and traffic flows', async () => {
    const [a, b] = await Promise.all([left.ipsec(['up', 'host']), right.ipsec(['up', 'host'])]);
    expect(a.exitCode, a.stdout + a.stderr).toBe(0);
    expect(b.exitCode, b.stdout + b.stderr).toBe(0);
    const [l, r] = await settled(left, right);
    const [lc, rc] = [l.ikeSas[0]!.children, r.ikeSas[0]!.children];
    expect(lc).toHaveLength(1);
    expect(rc).toHaveLength(1);
    expect([lc[0]!.spiIn, lc[0]!.spiOut]).toEqual([rc[0]!.spiOut, rc[0]!.spiIn]);
    const pair = [lc[0]!.spiIn, lc[0]!.spiOut].sort();
    for (const daemon of [left, right]) expect((await xfrmStates(daemon.ns)).map((s) => s.spi).sort()).toEqual(pair);
    const pinged = await ping(topo.left.ns, topo.right.outer4, { count: 5 });
    expect(pinged.received, pinged.output).toBe(5);
    // Both ends really made an IKE SA: the rule removed one of them.
    expect(left.log() + right.log()).toMatch(/both ends initiated conn 'host': deleting our IKE SA/);
  }, 180_000);
});
