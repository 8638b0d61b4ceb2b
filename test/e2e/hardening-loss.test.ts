// Loss and reordering (issue 8, item 3), in the kernel lab: netem drops 30%
// of the packets on both ends of the veth and reorders a quarter of the
// rest. The initiator's retransmissions (RFC 7296 §2.1) and the responder's
// response cache still bring up exactly one IKE SA with one CHILD SA on each
// side (no duplicates in status or in the kernel), rekey the CHILD SA and
// then the IKE SA (`ipsec rekey`, `ipsec rekey --ike`) to exactly one new
// pair, and `ipsec down` leaves both kernels without nodeswan state.
// retransmit-interval=500 / retransmit-limit=2s / retransmit-timeout=60s
// make the retransmissions come after 0.5, 1, 2, 2, 2 ... s instead of 4,
// 7.2, 13 ... s: 32 sends in 61.5 s. With 30% loss each way a round trip
// fails about half the time; plain doubling gave 6 sends in 31.5 s, so about
// one exchange in 57 was given up (one of the seven here failed in CI that
// way), while 32 sends leave a chance near 1 in 10^9.
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
      return `conn host4\n    type=transport\n    authby=secret\n    keyingtries=%forever\n    retransmit-interval=500\n    retransmit-limit=2s\n    retransmit-timeout=60s\n    left=${l.outer4}\n    right=${r.outer4}\n    auto=add\n`;
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

  /**
   * Polls both daemons (bounded) until `done` holds for both and nothing is
   * duplicated: one IKE SA per side, both listing the same SPIs, one
   * installed CHILD SA each, two xfrm states per kernel.
   */
  async function settled(done: (st: StatusSnapshot) => boolean): Promise<{ l: StatusSnapshot; r: StatusSnapshot }> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const [l, r] = [await left.status(), await right.status()];
      const clean = (st: StatusSnapshot) => st.ikeSas.length === 1 && sas(st).length === 1 && sas(st)[0]!.children.length === 1 && done(st);
      if (clean(l) && clean(r) && sas(l)[0]!.spiI === sas(r)[0]!.spiI) {
        const [kl, kr] = [await xfrmStates(topo.left.ns), await xfrmStates(topo.right.ns)];
        if (kl.length === 2 && kr.length === 2) return { l, r };
      }
      if (Date.now() > deadline) throw new Error(`no single rekeyed pair after 180 s:\n${JSON.stringify({ l: l.ikeSas, r: r.ikeSas })}\n${left.log().split('\n').slice(-30).join('\n')}`);
    }
  }

  it('up, CHILD SA rekey, IKE SA rekey: one IKE SA and one CHILD SA per side, nothing duplicated; down: kernels clean', async () => {
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

    // CHILD SA rekey, then IKE SA rekey, each through the same loss.
    const child = (st: StatusSnapshot) => sas(st)[0]!.children.filter((c) => c.state === 'INSTALLED');
    const before = { ike: sas(l)[0]!.spiI, child: child(l)[0]!.spiIn };
    const rekeyed = await left.ipsec(['rekey', 'host4'], 120_000);
    expect(rekeyed.exitCode, rekeyed.stdout + rekeyed.stderr).toBe(0);
    const afterChild = await settled((st) => child(st).length === 1 && child(st)[0]!.spiIn !== before.child);
    expect(sas(afterChild.l)[0]!.spiI).toBe(before.ike);
    const childSpis = { l: child(afterChild.l)[0]!, r: child(afterChild.r)[0]! };
    expect(childSpis.l.spiIn).toBe(childSpis.r.spiOut);
    expect(childSpis.l.spiOut).toBe(childSpis.r.spiIn);

    const rekeyedIke = await left.ipsec(['rekey', 'host4', '--ike'], 120_000);
    expect(rekeyedIke.exitCode, rekeyedIke.stdout + rekeyedIke.stderr).toBe(0);
    const afterIke = await settled((st) => sas(st).length === 1 && sas(st)[0]!.spiI !== before.ike);
    expect(sas(afterIke.l)[0]!.spiI).toBe(sas(afterIke.r)[0]!.spiI);
    // The CHILD SA moved over to the new IKE SA untouched.
    expect(child(afterIke.l)[0]!.spiIn).toBe(childSpis.l.spiIn);
    expect(child(afterIke.r)[0]!.spiIn).toBe(childSpis.r.spiIn);
    for (const [side, ns] of [['left', topo.left.ns], ['right', topo.right.ns]] as const) {
      const stats = (await run(['tc', '-n', ns, '-s', 'qdisc', 'show', 'dev', 'wan0'])).stdout;
      console.log(`${side} egress under netem after the rekeys: ${/Sent .*?\)/.exec(stats)?.[0]}`);
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
