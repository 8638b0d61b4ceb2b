// A route-based tunnel in the kernel lab: both ends negotiate 0.0.0.0/0 ===
// 0.0.0.0/0 with if_id=42, and each has an XFRM interface `ipsec42` (if_id
// 42) with a route to the other's inside network. What is routed into the
// interface is encrypted; everything else (the outer addresses talking
// directly) is not touched by the catch-all policies, because they only
// apply to traffic of interface 42. `ip xfrm` shows the interface ID on
// the SAs and policies, and `ipsec down` leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeswanDaemon } from '../lab/nodeswan.js';
import { startPskPair } from '../lab/psk-pair.js';
import { run } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const PSK = 'route based tunnel lab secret 5Kd1';

/** TX and RX packet counts of ipsec42 in `ns`. */
async function interfaceCounts(ns: string): Promise<{ tx: number; rx: number }> {
  const out = (await run(['ip', '-n', ns, '-s', '-j', 'link', 'show', 'ipsec42'])).stdout;
  const link = (JSON.parse(out) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[])[0]!;
  return { tx: link.stats64.tx.packets, rx: link.stats64.rx.packets };
}

describe('if_id: a route-based tunnel through an XFRM interface', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    for (const [host, peer] of [[topo.left, topo.right], [topo.right, topo.left]] as const) {
      await run(['ip', '-n', host.ns, 'link', 'add', 'ipsec42', 'type', 'xfrm', 'dev', host.wan, 'if_id', '42']);
      await run(['ip', '-n', host.ns, 'link', 'set', 'ipsec42', 'up']);
      await run(['ip', '-n', host.ns, 'route', 'add', peer.insideNet4, 'dev', 'ipsec42', 'src', host.inside4]);
    }
    ({ left, right } = await startPskPair(topo, 'cloud', ['leftsubnet=0.0.0.0/0', 'rightsubnet=0.0.0.0/0', 'if_id=42'], PSK));
    await left.up('cloud');
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('traffic routed into ipsec42 is encrypted, other traffic is not caught; down leaves the kernel clean', async () => {
    for (const ns of [topo.left.ns, topo.right.ns]) {
      const policies = (await run(['ip', '-n', ns, 'xfrm', 'policy'])).stdout;
      expect(policies.match(/if_id 0x2a/g)?.length, policies).toBeGreaterThanOrEqual(2);
      const states = (await run(['ip', '-n', ns, 'xfrm', 'state'])).stdout;
      expect(states.match(/if_id 0x2a/g)?.length, states).toBe(2);
    }
    const before = { left: await interfaceCounts(topo.left.ns), right: await interfaceCounts(topo.right.ns) };
    const inner = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 4 });
    expect(inner.received, inner.output).toBe(4);
    const after = { left: await interfaceCounts(topo.left.ns), right: await interfaceCounts(topo.right.ns) };
    expect(after.left.tx - before.left.tx).toBe(4);
    expect(after.left.rx - before.left.rx).toBe(4);
    expect(after.right.rx - before.right.rx).toBe(4);
    const sa = (await xfrmStates(topo.left.ns)).reduce((n, s) => n + s.packets, 0);
    expect(sa).toBe(8);

    // The outer addresses are not routed into ipsec42: the 0/0 policies of interface 42 leave them alone.
    const outer = await ping(topo.left.ns, topo.right.outer4, { count: 3 });
    expect(outer.received, outer.output).toBe(3);
    expect(await interfaceCounts(topo.left.ns)).toEqual(after.left);
    expect((await xfrmStates(topo.left.ns)).reduce((n, s) => n + s.packets, 0)).toBe(8);

    const down = await left.ipsec(['down', 'cloud']);
    expect(down.exitCode, down.stdout + down.stderr).toBe(0);
    for (const ns of [topo.left.ns, topo.right.ns]) {
      expect((await run(['ip', '-n', ns, 'xfrm', 'state'])).stdout, ns).toBe('');
      // Only the daemon's own per-socket bypass policies (`socket in/out`) remain.
      const policies = (await run(['ip', '-n', ns, 'xfrm', 'policy'])).stdout;
      expect(policies, ns).not.toMatch(/\bdir (in|out|fwd)\b/);
    }
  }, 180_000);
});
