// inactivity= in the kernel lab: the CHILD SA's packet counters come from
// the real kernel. The left end has inactivity=5s (the right none). A
// ping every second, started before the tunnel comes up so that no quiet
// gap can open between `ipsec up` and the first echo however slow the
// guest is, keeps the tunnel through its looks; once the pings stop, the
// left closes the IKE SA with its only CHILD SA within two periods, the
// right is told, and both kernels are empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { pollUntil } from '../lab/poll.js';
import { startPskPair } from '../lab/psk-pair.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const PSK = 'inactivity lab secret 8Rt3';
const PERIOD_S = 5;

describe('inactivity: idle tunnels close, busy ones stay', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    ({ left, right } = await startPskPair(topo, 'idle', ['type=transport'], PSK, [`inactivity=${PERIOD_S}s`]));
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('a ping every second keeps the SA through its looks; without traffic the left closes it on both ends', async () => {
    // busybox ping at its default 1 s interval: 18 echoes, the first ones in cleartext before the SA.
    const pinging = runIn(topo.left.ns, ['busybox', 'ping', '-4', '-q', '-c', '18', '-W', '5', topo.right.outer4], { allowFailure: true, timeoutMs: 60_000 });
    await left.up('idle');
    const spis = (await xfrmStates(topo.left.ns)).map((s) => s.spi).sort();
    expect(spis).toHaveLength(2);
    const pinged = await pinging;
    const received = Number(/(\d+) packets received/.exec(pinged.stdout)?.[1] ?? 0);
    expect(received, pinged.stdout + pinged.stderr).toBeGreaterThanOrEqual(16);
    // Still the same pair, never closed while the pings ran.
    expect((await xfrmStates(topo.left.ns)).map((s) => s.spi).sort()).toEqual(spis);
    expect(left.log()).not.toContain('(inactivity)');

    const quietFrom = Date.now();
    await pollUntil('both kernels empty after the inactivity close', 60_000, async () => {
      const [l, r] = [await xfrmStates(topo.left.ns), await xfrmStates(topo.right.ns)];
      return l.length === 0 && r.length === 0 ? true : undefined;
    }, 250);
    const seconds = (Date.now() - quietFrom) / 1000;
    expect(left.log()).toContain(`closing the IKE SA and its CHILD SAs: no traffic for ${PERIOD_S}s (inactivity)`);
    expect(right.log()).toContain("peer 192.0.2.1 deleted IKE SA 'idle'");
    expect((await left.status()).ikeSas).toEqual([]);
    expect((await right.status()).ikeSas).toEqual([]);
    // Between one and two periods after the last packet, plus slack for a loaded guest.
    expect(seconds).toBeLessThan(2 * PERIOD_S + 5);
    process.stderr.write(`[inactivity] closed ${seconds.toFixed(1)} s after the last ping\n`);
  }, 180_000);
});
