// lifebytes / marginbytes in the kernel lab: a nodeswan pair whose CHILD
// SA may carry 60,000 bytes each way (soft limit 20,000-40,000: margin
// 20,000 made earlier by rekeyfuzz). The limits are in `ip xfrm state`;
// 36 pings of 1,400 octets (1,428-byte packets, 51,408 bytes each way, still
// under the hard limit if no rekey came) cross the soft limit, the kernel's
// soft EXPIRE makes nodeswan rekey, and every echo comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeswanDaemon } from '../lab/nodeswan.js';
import { startPskPair } from '../lab/psk-pair.js';
import { run } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { pollUntil } from '../lab/poll.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const PSK = 'volume limits lab secret 6Nq2';

describe('lifebytes: the kernel counts, nodeswan rekeys at the soft limit', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    ({ left, right } = await startPskPair(topo, 'vol', ['type=transport', 'lifebytes=60000', 'marginbytes=20000'], PSK));
    await left.up('vol');
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('programs the byte limits, rekeys on the soft EXPIRE, and loses no echo', async () => {
    const before = (await xfrmStates(topo.left.ns)).map((s) => s.spi).sort();
    expect(before).toHaveLength(2);
    const text = (await run(['ip', '-n', topo.left.ns, '-s', 'xfrm', 'state'])).stdout;
    expect(text).toMatch(/hard 60000\(bytes\)/);
    const soft = [...text.matchAll(/soft (\d+)\(bytes\)/g)].map((m) => Number(m[1]));
    expect(soft).toHaveLength(2);
    for (const limit of soft) {
      expect(limit).toBeGreaterThanOrEqual(20_000);
      expect(limit).toBeLessThanOrEqual(40_000);
    }

    const echo = await ping(topo.left.ns, topo.right.outer4, { count: 36, size: 1400, deadlineSeconds: 60 });
    expect(echo.received, echo.output).toBe(36);
    const after = await pollUntil('a new SA pair in both kernels, the old one gone', 30_000, async () => {
      const [l, r] = [(await xfrmStates(topo.left.ns)).map((s) => s.spi).sort(), (await xfrmStates(topo.right.ns)).map((s) => s.spi).sort()];
      return l.length === 2 && r.length === 2 && l.every((spi) => !before.includes(spi)) && JSON.stringify(l) === JSON.stringify(r) ? l : undefined;
    });
    expect(after).toHaveLength(2);
    const logs = left.log() + right.log();
    expect(logs).toMatch(/CHILD SA [0-9a-f]+ reached its soft lifetime; rekeying it/);
    expect(logs).not.toMatch(/expired; deleting it with the peer/);
    const again = await ping(topo.left.ns, topo.right.outer4, { count: 3 });
    expect(again.received, again.output).toBe(3);
  }, 180_000);
});
