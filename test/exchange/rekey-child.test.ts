// CHILD SA rekeys started by nodeswan itself, both peers nodeswan, time on
// the ManualClock: at `lifetime - rekeymargin` (fuzzed) and on a soft
// EXPIRE from the kernel. Make-before-break is checked on the kernel
// call order; after several lifetimes exactly one pair must remain.

import { describe, expect, it } from 'vitest';
import type { SaSpec } from '../../src/kernel/backend.js';
import { live, pairsAcross, establishedPair } from './rekey-support.js';

const TIMING = { lifetimeSeconds: 60, rekeyMarginSeconds: 20, rekeyFuzzPercent: 100 };

function established(seed: string, moon = {}, sun = {}) {
  return establishedPair(seed, { ...TIMING, ...moon }, { ...TIMING, ...sun });
}

describe('CHILD SA rekey, initiated by nodeswan', () => {
  it('programs the hard lifetime and the unfuzzed rekey time as the soft one into the kernel', async () => {
    const { moon } = await established('lifetimes');
    for (const sa of await moon.kernel.listSas()) {
      expect(sa.lifetime).toMatchObject({ softAddSeconds: 40, hardAddSeconds: 60 });
    }
  });

  for (const seed of ['a', 'b', 'c']) {
    it(`keeps exactly one pair with fresh SPIs and matching keys over five lifetimes (seed ${seed})`, async () => {
      const { x, moon, sun } = await established(seed);
      const first = await pairsAcross(moon, sun);
      const policies = [(await moon.kernel.listPolicies()).length, (await sun.kernel.listPolicies()).length];
      const seen = new Set<number>([first.aToB, first.bToA]);
      let rekeys = 0;
      for (let lifetime = 0; lifetime < 5; lifetime++) {
        await live(x, 60);
        const now = await pairsAcross(moon, sun);
        expect(now.counts).toEqual([2, 2]);
        expect(now.keysMatch).toBe(true);
        // A new pair every lifetime: the old SPIs never come back.
        expect(seen.has(now.aToB) || seen.has(now.bToA)).toBe(false);
        seen.add(now.aToB);
        seen.add(now.bToA);
        rekeys++;
        expect([(await moon.kernel.listPolicies()).length, (await sun.kernel.listPolicies()).length]).toEqual(policies);
      }
      expect(rekeys).toBe(5);
      for (const side of [moon, sun]) {
        const status = side.engine.status().ikeSas;
        expect(status).toHaveLength(1);
        expect(status[0]!.children).toHaveLength(1);
      }
      const initiated = [moon, sun].map((s) => s.log.filter((l) => l.includes('rekeying CHILD SA')).length);
      expect(initiated[0]! + initiated[1]!).toBeGreaterThanOrEqual(5);
    });
  }

  it('installs the new inbound SA, then the new outbound one, and deletes the old pair only after', async () => {
    const { x, moon, sun } = await established('order', {}, { rekey: false });
    const calls: string[] = [];
    const k = moon.kernel;
    for (const method of ['updateSa', 'addSa'] as const) {
      const original = k[method].bind(k);
      k[method] = async (spec: SaSpec) => {
        calls.push(`${method} ${spec.dst === moon.address ? 'in' : 'out'} ${spec.spi.toString(16)}`);
        return original(spec);
      };
    }
    const originalDelete = k.deleteSa.bind(k);
    k.deleteSa = async (id) => {
      calls.push(`deleteSa ${id.dst === moon.address ? 'in' : 'out'} ${id.spi.toString(16)}`);
      return originalDelete(id);
    };
    const old = await pairsAcross(moon, sun);
    for (let i = 0; i < 60 && calls.length < 4; i++) await live(x, 1);
    const fresh = await pairsAcross(moon, sun);
    const hex = (n: number) => n.toString(16);
    expect(calls).toEqual([
      `updateSa in ${hex(fresh.bToA)}`,
      `addSa out ${hex(fresh.aToB)}`,
      `deleteSa out ${hex(old.aToB)}`,
      `deleteSa in ${hex(old.bToA)}`,
    ]);
    // Only moon rekeyed (sun has rekey=no), and moon told sun to drop the old pair.
    expect(sun.log.some((l) => l.includes('rekeying CHILD SA'))).toBe(false);
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
  });

  it('rekey=no on both sides: nothing is rekeyed before the lifetime runs out', async () => {
    const { x, moon, sun } = await established('never', { rekey: false }, { rekey: false });
    const before = await pairsAcross(moon, sun);
    await x.advance(59_000);
    expect(x.queue).toHaveLength(0);
    expect(await pairsAcross(moon, sun)).toEqual(before);
  });

  it('lifebytes / lifepackets: hard limits as given, soft ones at life - margin made earlier by the fuzz, different on each side', async () => {
    const volume = { lifeBytes: 1_000_000, marginBytes: 200_000, lifePackets: 5000, marginPackets: 0 };
    const { moon, sun } = await established('volume', volume, volume);
    const limits = async (side: typeof moon) => (await side.kernel.listSas()).map((s) => s.lifetime);
    for (const side of [moon, sun]) {
      for (const l of await limits(side)) {
        expect(l).toMatchObject({ hardBytes: 1_000_000, hardPackets: 5000, softAddSeconds: 40, hardAddSeconds: 60 });
        // margin 200,000 bytes, fuzz 100%: soft between 600,000 and 800,000.
        expect(l.softBytes).toBeGreaterThanOrEqual(600_000);
        expect(l.softBytes).toBeLessThanOrEqual(800_000);
        // marginpackets 0: a tenth of lifepackets.
        expect(l.softPackets).toBeGreaterThanOrEqual(4000);
        expect(l.softPackets).toBeLessThanOrEqual(4500);
      }
    }
    // The two ends drew their own fuzz: they do not hit their soft limits together.
    expect((await limits(moon))[0]!.softBytes).not.toBe((await limits(sun))[0]!.softBytes);
  });

  it("rekeys at once on the kernel's soft EXPIRE (bytes or packets ran out)", async () => {
    const { x, moon, sun } = await established('soft', { lifetimeSeconds: 3600 }, { lifetimeSeconds: 3600 });
    const before = await pairsAcross(moon, sun);
    const sa = (await moon.kernel.listSas()).find((s) => s.spi === before.bToA)!;
    moon.kernel.kernel.emit({ type: 'expire', hard: false, sa: { dst: sa.dst, spi: sa.spi, proto: 'esp', src: sa.src, reqid: sa.reqid } });
    await x.settle();
    expect(x.describe()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2']);
    await x.run();
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect(after.aToB).not.toBe(before.aToB);
    expect(after.bToA).not.toBe(before.bToA);
  });
});
