// Both peers rekey the same CHILD SA at once (RFC 7296 §2.8.1). Both
// exchanges complete; the nonce rule must leave exactly one pair in both
// kernels: the initiator of the exchange with the lowest nonce deletes its
// own new pair, the other initiator deletes the old one.

import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { live, pairsAcross, seededPair } from './rekey-support.js';

async function softExpire(side: Side, peer: Side): Promise<void> {
  const sa = (await side.kernel.listSas()).find((s) => s.dst === side.address && s.src === peer.address)!;
  side.kernel.kernel.emit({ type: 'expire', hard: false, sa: { dst: sa.dst, spi: sa.spi, proto: 'esp', src: sa.src, reqid: sa.reqid } });
}

describe('simultaneous CHILD SA rekey', () => {
  for (let i = 1; i <= 20; i++) {
    it(`ends with exactly one pair (seed ${i}, both forced by soft EXPIRE)`, async () => {
      const timing = { lifetimeSeconds: 3600, rekeyMarginSeconds: 540, rekeyFuzzPercent: 100 };
      const { x, moon, sun } = await seededPair(`collision-${i}`, timing, timing);
      const up = moon.engine.up('office');
      await x.settle();
      await x.run();
      expect((await up).ok).toBe(true);
      const before = await pairsAcross(moon, sun);

      await softExpire(moon, sun);
      await softExpire(sun, moon);
      await x.settle();
      // Both requests are on the wire before either is answered.
      expect(x.describe()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA request 192.0.2.2 -> 192.0.2.1']);
      await x.run(50);

      const after = await pairsAcross(moon, sun);
      expect(after.counts).toEqual([2, 2]);
      expect(after.keysMatch).toBe(true);
      expect([after.aToB, after.bToA]).not.toContain(before.aToB);
      expect([after.aToB, after.bToA]).not.toContain(before.bToA);
      // One side lost (deleted its own new pair), the other won (deleted the old one).
      const verdicts = [moon, sun].map((s) => (s.log.some((l) => l.includes('collision lost')) ? 'lost' : s.log.some((l) => l.includes('collision won')) ? 'won' : 'none'));
      expect(verdicts.sort()).toEqual(['lost', 'won']);
      for (const s of [moon, sun]) expect(s.engine.status().ikeSas[0]!.children).toHaveLength(1);
      // And the survivor rekeys normally later on.
      await live(x, 3600);
      expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
    });
  }

  it('one answer overtakes the other request: the late rekey is refused and one pair remains', async () => {
    const timing = { lifetimeSeconds: 3600 };
    const { x, moon, sun } = await seededPair('overtake', timing, timing);
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    await softExpire(moon, sun);
    await softExpire(sun, moon);
    await x.settle();
    await x.deliver(); // moon's request reaches sun; sun answers
    // Sun's answer overtakes sun's own request on the way to moon.
    expect(x.describe()).toEqual(['CREATE_CHILD_SA request 192.0.2.2 -> 192.0.2.1', 'CREATE_CHILD_SA response 192.0.2.2 -> 192.0.2.1']);
    x.queue.reverse();
    await x.run(50);
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect(sun.log.some((l) => l.includes('refused to rekey'))).toBe(true);
  });

  it('rekeyfuzz=0 on both sides: the timers fire in the same instant, one pair survives every lifetime', async () => {
    const timing = { lifetimeSeconds: 60, rekeyMarginSeconds: 20, rekeyFuzzPercent: 0 };
    const { x, moon, sun } = await seededPair('no-fuzz', timing, timing);
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    for (let n = 0; n < 4; n++) {
      await live(x, 60);
      expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
    }
    expect(moon.log.filter((l) => l.includes('collision')).length).toBeGreaterThanOrEqual(1);
  });
});
