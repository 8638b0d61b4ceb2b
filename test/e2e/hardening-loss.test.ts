// Loss and reordering (issue 8, item 3), in the kernel lab: netem drops 30%
// of the packets on both ends of the veth and reorders a quarter of the
// rest. The initiator's retransmissions (RFC 7296 §2.1) and the responder's
// response cache still bring up exactly one IKE SA with one CHILD SA on each
// side (no duplicates in status or in the kernel), and `ipsec down` leaves
// both kernels without nodeswan state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { run } from '../lab/netns.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const psk = 'loss and reordering secret 2Lp5';

function sas(status: StatusSnapshot) {
  return status.ikeSas.filter((sa) => sa.name === 'host4' && sa.state === 'ESTABLISHED');
}

describe('30% loss and reordering on the wire', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
      return `conn host4\n    type=transport\n    authby=secret\n    keyingtries=%forever\n    left=${l.outer4}\n    right=${r.outer4}\n    auto=add\n`;
    };
    const secrets = `${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"\n`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'loss-left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'loss-right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
    for (const ns of [topo.left.ns, topo.right.ns]) {
      await run(['tc', '-n', ns, 'qdisc', 'add', 'dev', 'wan0', 'root', 'netem', 'delay', '20ms', 'reorder', '75%', '50%', 'loss', '30%']);
    }
  }, 120_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('up: one IKE SA and one CHILD SA per side, nothing duplicated; down: kernels clean', async () => {
    const qdisc = (await run(['tc', '-n', topo.left.ns, 'qdisc', 'show', 'dev', 'wan0'])).stdout;
    expect(qdisc).toMatch(/netem .*loss 30%/);
    const up = await left.ipsec(['up', 'host4'], 400_000);
    expect(up.stdout, up.stderr + left.log()).toContain("connection 'host4' established successfully");
    const [l, r] = [await left.status(), await right.status()];
    expect(sas(l)).toHaveLength(1);
    expect(sas(r)).toHaveLength(1);
    expect(l.ikeSas).toHaveLength(1);
    expect(r.ikeSas).toHaveLength(1);
    expect(sas(l)[0]!.children.filter((c) => c.state === 'INSTALLED')).toHaveLength(1);
    expect(sas(r)[0]!.children.filter((c) => c.state === 'INSTALLED')).toHaveLength(1);
    expect(sas(l)[0]!.spiI).toBe(sas(r)[0]!.spiI);
    expect((await xfrmStates(topo.left.ns)).length).toBe(2);
    expect((await xfrmStates(topo.right.ns)).length).toBe(2);
    for (const [side, ns] of [['left', topo.left.ns], ['right', topo.right.ns]] as const) {
      const stats = (await run(['tc', '-n', ns, '-s', 'qdisc', 'show', 'dev', 'wan0'])).stdout;
      console.log(`${side} egress under netem during up: ${/Sent .*?\)/.exec(stats)?.[0]}`);
    }

    const down = await left.ipsec(['down', 'host4'], 400_000);
    expect(down.exitCode, down.stdout + down.stderr).toBe(0);
    expect(await xfrmStates(topo.left.ns)).toEqual([]);
    expect((await left.status()).ikeSas).toEqual([]);
    // The peer got the Delete through the loss (or a retransmission of it).
    expect(await xfrmStates(topo.right.ns)).toEqual([]);
    expect((await right.status()).ikeSas).toEqual([]);
  }, 600_000);
});
