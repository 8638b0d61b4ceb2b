// IKE SA rekeys started by nodeswan (RFC 7296 §2.18) at ikelifetime -
// rekeymargin (fuzzed), with CHILD SA rekeys going on at the same time:
// the CHILD SAs move to the new IKE SA, the old one is deleted, and both
// sides always agree on the one IKE SA and the one CHILD SA pair.

import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { live, pairsAcross, seededPair } from './rekey-support.js';

function ikeSpis(side: Side): string[] {
  return side.engine.sas().map((sa) => `${sa.data.spiI.toString('hex')}/${sa.data.spiR.toString('hex')}`);
}

describe('IKE SA rekey, initiated by nodeswan', () => {
  for (const seed of ['1', '2', '3', '4', '5', '6', '7', '8']) {
    it(`keeps one IKE SA and one CHILD SA pair over five IKE lifetimes (seed ${seed})`, async () => {
      const timing = { ikeLifetimeSeconds: 100, lifetimeSeconds: 60, rekeyMarginSeconds: 20, rekeyFuzzPercent: 100 };
      const { x, moon, sun } = await seededPair(`ike-${seed}`, timing, timing);
      const up = moon.engine.up('office');
      await x.settle();
      await x.run();
      expect((await up).ok).toBe(true);
      const seen = new Set(ikeSpis(moon));
      for (let n = 0; n < 5; n++) {
        await live(x, 100);
        expect(ikeSpis(moon)).toHaveLength(1);
        expect(ikeSpis(sun)).toEqual(ikeSpis(moon));
        expect(seen.has(ikeSpis(moon)[0]!)).toBe(false);
        seen.add(ikeSpis(moon)[0]!);
        expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
      }
      const ikeRekeys = [moon, sun].map((s) => s.log.filter((l) => l.includes('rekeying IKE SA')).length);
      expect(ikeRekeys[0]! + ikeRekeys[1]!).toBeGreaterThanOrEqual(5);
      // The IKE SA still carries traffic of its own: a Delete from moon ends everything on both sides.
      const down = moon.engine.down('office');
      await x.settle();
      await x.run();
      await down;
      expect(sun.engine.sas()).toHaveLength(0);
      expect(await sun.kernel.listSas()).toHaveLength(0);
    });
  }

  it('rekeys the IKE SA on both sides at once: one is refused with TEMPORARY_FAILURE and retried', async () => {
    const timing = { ikeLifetimeSeconds: 100, rekeyMarginSeconds: 20, rekeyFuzzPercent: 0 };
    const { x, moon, sun } = await seededPair('ike-collision', timing, timing);
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    await live(x, 120);
    expect(ikeSpis(moon)).toHaveLength(1);
    expect(ikeSpis(sun)).toEqual(ikeSpis(moon));
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect([...moon.log, ...sun.log].some((l) => l.includes('TEMPORARY_FAILURE'))).toBe(true);
  });
});
