// inactivity= (strongSwan): a CHILD SA without a packet either way for
// that long is closed with a Delete; the last one takes its IKE SA along.
// Traffic seen by the kernel's counters keeps it.
import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { pair } from './setups.js';

async function up(moonOverrides = {}) {
  const p = await pair({ inactivitySeconds: 30, ...moonOverrides });
  const done = p.moon.engine.up('office');
  await p.x.settle();
  await p.x.run();
  expect((await done).ok).toBe(true);
  return p;
}

/** As if `n` more packets had crossed moon's inbound SA. */
function traffic(moon: Side, n: number) {
  const child = moon.engine.sas()[0]!.data.children.find((c) => c.state.is('INSTALLED'))!;
  moon.kernel.kernel.setCounters({ dst: child.params.localAddress, spi: child.params.spiIn, proto: 'esp' }, { packets: n });
}

describe('inactivity=', () => {
  it('closes an idle CHILD SA, and with it the IKE SA that has no other, after one idle period past the first look', async () => {
    const { x, moon, sun } = await up();
    await x.advance(30_000); // first look: the count so far is the baseline
    await x.settle();
    expect(x.queue).toHaveLength(0);
    await x.advance(30_000); // nothing moved since
    await x.settle();
    expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2', 'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1']);
    await x.settle();
    expect(moon.engine.sas()).toEqual([]);
    expect(sun.engine.sas()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(moon.log.join('\n')).toContain('closing the IKE SA and its CHILD SAs: no traffic for 30s (inactivity)');
  });

  it('keeps a CHILD SA whose counters move between looks', async () => {
    const { x, moon } = await up();
    for (let look = 1; look <= 4; look++) {
      traffic(moon, look * 10);
      await x.advance(30_000);
      await x.settle();
      expect(x.queue, `look ${look}`).toHaveLength(0);
    }
    expect(moon.engine.sas()).toHaveLength(1);
    // Traffic stops: the next look finds the count unchanged and closes it.
    await x.advance(30_000);
    await x.settle();
    expect(x.describe()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2']);
  });
});
