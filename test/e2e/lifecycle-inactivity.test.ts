// inactivity= in the kernel lab: the CHILD SA's packet counters come from
// the real kernel. With inactivity=4s on the left, pings every second keep
// the tunnel for 12 s (three looks); once they stop, the left closes the
// IKE SA with its only CHILD SA within two periods, the right is told, and
// both kernels are empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { pollUntil } from '../lab/poll.js';
import { startPskPair } from '../lab/psk-pair.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const PSK = 'inactivity lab secret 8Rt3';

describe('inactivity: idle tunnels close, busy ones stay', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    ({ left, right } = await startPskPair(topo, 'idle', ['type=transport', 'inactivity=4s'], PSK));
    await left.up('idle');
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('a ping every second keeps the SA through three looks; without traffic it is closed on both ends', async () => {
    const spis = (await xfrmStates(topo.left.ns)).map((s) => s.spi).sort();
    expect(spis).toHaveLength(2);
    // busybox ping at its default 1 s interval, 12 echoes.
    const pinged = await runIn(topo.left.ns, ['busybox', 'ping', '-4', '-q', '-c', '12', '-W', '5', topo.right.outer4], { allowFailure: true, timeoutMs: 30_000 });
    expect(pinged.stdout, pinged.stdout + pinged.stderr).toMatch(/12 packets transmitted, 12 packets received/);
    expect((await xfrmStates(topo.left.ns)).map((s) => s.spi).sort()).toEqual(spis);
    expect(left.log()).not.toContain('(inactivity)');

    const quietFrom = Date.now();
    await pollUntil('both kernels empty after the inactivity close', 30_000, async () => {
      const [l, r] = [await xfrmStates(topo.left.ns), await xfrmStates(topo.right.ns)];
      return l.length === 0 && r.length === 0 ? true : undefined;
    }, 250);
    const seconds = (Date.now() - quietFrom) / 1000;
    expect(left.log()).toContain('closing the IKE SA and its CHILD SAs: no traffic for 4s (inactivity)');
    expect((await left.status()).ikeSas).toEqual([]);
    expect((await right.status()).ikeSas).toEqual([]);
    // Between one and two periods after the last packet (plus slack for a loaded guest).
    expect(seconds).toBeLessThan(8 + 3);
    process.stderr.write(`[inactivity] closed ${seconds.toFixed(1)} s after the last ping\n`);
  }, 120_000);
});
