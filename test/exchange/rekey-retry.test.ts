// A rekey the peer refuses (TEMPORARY_FAILURE: it was rekeying the IKE SA
// at the same moment, RFC 7296 §2.25.2) is tried again before the CHILD
// SA's hard lifetime ends, however short that lifetime is.

import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/ike/rekey/schedule.js';
import { live, pairsAcross, seeded, seededPair } from './rekey-support.js';

describe('retry after a refused rekey', () => {
  it('waits the usual pause with time to spare, a third of what is left otherwise (±50%)', () => {
    const random = seeded('retry');
    for (let i = 0; i < 50; i++) {
      const roomy = retryDelayMs(10_000, 3_600_000, random);
      expect(roomy).toBeGreaterThanOrEqual(5_000);
      expect(roomy).toBeLessThanOrEqual(15_000);
      const tight = retryDelayMs(10_000, 9_000, random);
      expect(tight).toBeGreaterThanOrEqual(1_500);
      expect(tight).toBeLessThanOrEqual(4_500);
      expect(retryDelayMs(10_000, 100, random)).toBeLessThanOrEqual(750);
      expect(retryDelayMs(10_000, undefined, random)).toBeGreaterThanOrEqual(5_000);
    }
  });

  it('a CHILD SA rekey crossing the peer IKE SA rekey is refused, then done well before the 15 s lifetime ends', async () => {
    const timing = { lifetimeSeconds: 15, ikeLifetimeSeconds: 3600, rekeyMarginSeconds: 5, rekeyFuzzPercent: 100 };
    // sun's own timers stay out of it: only moon's retry can rekey the CHILD SA in time.
    const { x, moon, sun } = await seededPair('retry-crossing', timing, { lifetimeSeconds: 3600, ikeLifetimeSeconds: 3600 });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const before = await pairsAcross(moon, sun);
    await Promise.all([moon.engine.rekey('office', { ike: false }), sun.engine.rekey('office', { ike: true })]);
    await x.settle();
    expect(x.describe().sort()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA request 192.0.2.2 -> 192.0.2.1']);
    await x.run(50);
    expect(moon.log.some((l) => l.includes('(TEMPORARY_FAILURE)'))).toBe(true);
    // Two thirds of the lifetime are left: the retry comes within 15/3 * 1.5 = 7.5 s.
    await live(x, 8);
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect(after.aToB).not.toBe(before.aToB);
    for (const side of [moon, sun]) expect(side.engine.status().ikeSas).toHaveLength(1);
  });
});
