// `ipsec status` shows when each SA is rekeyed and when a CHILD SA expires:
// rekeyAt is the due time of our rekey timer (lifetime - rekeymargin, fuzzed),
// expiresAt the kernel's hard lifetime counted from installation; both move
// with each rekey and vanish with rekey=no / while a rekey is under way.

import { describe, expect, it } from 'vitest';
import { formatStatusAll } from '../../src/cli/status-text.js';
import { establishedPair, live } from './rekey-support.js';

/** Wall time when the pair was made (the exchange's ManualClock does not move on its own). */
let EPOCH = 0;
const at = (seconds: number) => new Date(EPOCH + seconds * 1000).toISOString();
const secondsOf = (iso: string | undefined) => (iso === undefined ? undefined : (Date.parse(iso) - EPOCH) / 1000);

async function established(moon: object, sun: object) {
  const p = await establishedPair('status-times', moon, sun);
  // The ManualClock has not moved since the pair was made.
  EPOCH = p.x.clock.wallTime().getTime();
  return p;
}

describe('status: rekeyAt and expiresAt', () => {
  it('come from the rekey schedule and the lifetimes, and move on with each rekey', async () => {
    const times = { lifetimeSeconds: 60, ikeLifetimeSeconds: 120, rekeyMarginSeconds: 10, rekeyFuzzPercent: 100 };
    const { x, moon, sun } = await established(times, { ...times, rekey: false });
    const ike = moon.engine.status().ikeSas[0]!;
    const child = ike.children[0]!;
    expect(child.installedAt).toBe(at(0));
    expect(child.expiresAt).toBe(at(60));
    // lifetime - margin, made earlier by up to margin * fuzz.
    expect(secondsOf(child.rekeyAt)).toBeGreaterThanOrEqual(40);
    expect(secondsOf(child.rekeyAt)).toBeLessThanOrEqual(50);
    expect(secondsOf(ike.rekeyAt)).toBeGreaterThanOrEqual(100);
    expect(secondsOf(ike.rekeyAt)).toBeLessThanOrEqual(110);

    // rekey=no on sun: it never rekeys, but its CHILD SA still expires.
    const sunIke = sun.engine.status().ikeSas[0]!;
    expect(sunIke.rekeyAt).toBeUndefined();
    expect(sunIke.children[0]!.rekeyAt).toBeUndefined();
    expect(sunIke.children[0]!.expiresAt).toBe(at(60));

    const firstRekey = secondsOf(child.rekeyAt)!;
    await live(x, Math.ceil(firstRekey) + 1);
    const after = moon.engine.status().ikeSas[0]!.children;
    expect(after).toHaveLength(1);
    expect(after[0]!.spiIn).not.toBe(child.spiIn);
    const installed = secondsOf(after[0]!.installedAt)!;
    expect(installed).toBeGreaterThanOrEqual(firstRekey);
    expect(after[0]!.expiresAt).toBe(at(installed + 60));
    expect(secondsOf(after[0]!.rekeyAt)).toBeGreaterThanOrEqual(installed + 40);
    expect(secondsOf(after[0]!.rekeyAt)).toBeLessThanOrEqual(installed + 50);
  });

  it('the status text shows them (rekeying in, expires in)', async () => {
    const { moon } = await established({ lifetimeSeconds: 3600, ikeLifetimeSeconds: 10800, rekeyMarginSeconds: 540, rekeyFuzzPercent: 0 }, {});
    const snapshot = moon.engine.status();
    const ike = snapshot.ikeSas[0]!;
    expect(ike.rekeyAt).toBe(at(10800 - 540));
    expect(ike.children[0]!.rekeyAt).toBe(at(3600 - 540));
    expect(ike.children[0]!.expiresAt).toBe(at(3600));
    const text = formatStatusAll(snapshot, new Date(EPOCH));
    expect(text).toMatch(/IKEv2 SPIs: \S+_i\* \S+_r, rekeying in 2 hours/);
    expect(text).toMatch(/bytes_o \(0 pkts\), rekeying in 51 minutes/);
    expect(text).toContain('installed 0 seconds ago, expires in 60 minutes');
  });
});
