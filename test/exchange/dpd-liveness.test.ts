// Dead peer detection between two nodeswan engines on the ManualClock:
// liveness checks only when the kernel counted no inbound packets since
// the last look; an unanswered check ends in dpdaction.

import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { establishedPair } from './rekey-support.js';

const DPD = { dpdDelaySeconds: 30, dpdTimeoutSeconds: 150 };

function established(moon: object, sun: object = {}) {
  return establishedPair('dpd', moon, sun);
}

/** Pretend `packets` arrived from the peer on the side's inbound SA. */
async function traffic(side: Side, packets: number): Promise<void> {
  const sa = (await side.kernel.listSas()).find((s) => s.dst === side.address)!;
  side.kernel.kernel.setCounters({ dst: sa.dst, spi: sa.spi, proto: sa.proto }, { packets, bytes: packets * 100 });
}

describe('DPD', () => {
  it('sends an empty INFORMATIONAL only when no traffic came in since the last check', async () => {
    const { x, moon } = await established({ ...DPD, dpdAction: 'clear' });
    await traffic(moon, 10);
    await x.advance(30_000);
    expect(x.describe()).toEqual([]); // packets came in: no check
    await x.advance(30_000);
    expect(x.describe()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2']);
    await x.run();
    expect(moon.engine.sas()).toHaveLength(1);
    await traffic(moon, 11);
    await x.advance(30_000);
    expect(x.describe()).toEqual([]);
  });

  it('dpdaction=none (the default) sends nothing', async () => {
    const { x } = await established({});
    await x.advance(300_000);
    expect(x.describe()).toEqual([]);
  });

  it('dpdaction=clear: an unanswered check removes the SAs within dpddelay + dpdtimeout', async () => {
    const { x, moon } = await established({ ...DPD, dpdAction: 'clear' });
    expect(await moon.kernel.listSas()).toHaveLength(2);
    let elapsed = 0;
    while (moon.engine.sas().length > 0 && elapsed < 400_000) {
      await x.advance(1000);
      elapsed += 1000;
      x.queue.length = 0; // the peer is gone: everything we send is lost
    }
    expect(moon.engine.sas()).toHaveLength(0);
    expect(elapsed).toBeLessThanOrEqual((30 + 150) * 1000);
    expect(await moon.kernel.listSas()).toHaveLength(0);
    expect(await moon.kernel.listPolicies()).toHaveLength(0);
    expect(moon.log.some((l) => l.includes('is dead'))).toBe(true);
  });

  it('dpdaction=restart: the conn is negotiated again once the peer answers', async () => {
    const { x, moon, sun } = await established({ ...DPD, dpdAction: 'restart', dpdTimeoutSeconds: 60 });
    const firstSpi = moon.engine.sas()[0]!.data.spiI.toString('hex');
    // The peer stops answering: drop moon's datagrams until moon gives up on it.
    while (!moon.log.some((l) => l.includes('is dead'))) {
      await x.advance(1000);
      x.queue.length = 0;
    }
    // Sun forgets the old SA as a restarted peer would; moon's new IKE_SA_INIT goes through.
    await sun.engine.sas()[0]!.abandon('restarted');
    await x.settle();
    for (let i = 0; i < 60 && !moon.engine.sas().some((sa) => sa.data.state.is('ESTABLISHED')); i++) {
      await x.run();
      await x.advance(1000);
    }
    const now = moon.engine.sas().filter((sa) => sa.data.state.is('ESTABLISHED'));
    expect(now).toHaveLength(1);
    expect(now[0]!.data.spiI.toString('hex')).not.toBe(firstSpi);
    expect(await moon.kernel.listSas()).toHaveLength(2);
  });
});
