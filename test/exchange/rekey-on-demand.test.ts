// `ipsec rekey NAME [--ike]` at the engine: a rekey started on demand runs
// the same exchanges as a timed one, and both sides forced at once is the
// collision case the lab test repeats against real kernels.

import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { establishedPair, live, pairsAcross, seededPair } from './rekey-support.js';

/** SAs in a side's kernel by direction: [inbound, outbound]. */
async function directions(side: Side): Promise<[number, number]> {
  const sas = await side.kernel.listSas();
  return [sas.filter((s) => s.dst === side.address).length, sas.filter((s) => s.src === side.address).length];
}

const timing = { lifetimeSeconds: 3600, ikeLifetimeSeconds: 10_800 };

function established(seed: string) {
  return establishedPair(seed, timing, timing);
}

describe('rekey on demand', () => {
  it('rekeys the CHILD SA now: one new pair, the old one deleted', async () => {
    const { x, moon, sun } = await established('on-demand-child');
    const before = await pairsAcross(moon, sun);
    expect(await moon.engine.rekey('office', { ike: false })).toBe(1);
    await x.settle();
    expect(x.describe()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2']);
    await x.run();
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect(after.aToB).not.toBe(before.aToB);
    expect(after.bToA).not.toBe(before.bToA);
  });

  it('rekeys the IKE SA now with --ike: new SPIs, the CHILD SA kept', async () => {
    const { x, moon, sun } = await established('on-demand-ike');
    const spisBefore = moon.engine.status().ikeSas[0]!.spiI;
    const children = await pairsAcross(moon, sun);
    expect(await sun.engine.rekey('office', { ike: true })).toBe(1);
    await x.settle();
    await x.run();
    for (const side of [moon, sun]) {
      const ikeSas = side.engine.status().ikeSas;
      expect(ikeSas).toHaveLength(1);
      expect(ikeSas[0]!.spiI).not.toBe(spisBefore);
    }
    // sun initiated the rekey, so sun is the new IKE SA's initiator.
    expect(sun.engine.status().ikeSas[0]!.initiator).toBe(true);
    expect(await pairsAcross(moon, sun)).toEqual(children);
  });

  it('names an unknown conn or one without an IKE SA', async () => {
    const { moon } = await seededPair('on-demand-errors', timing, timing);
    await expect(moon.engine.rekey('nosuch', { ike: false })).rejects.toMatchObject({ code: 'UNKNOWN_CONN' });
    await expect(moon.engine.rekey('office', { ike: true })).rejects.toMatchObject({ code: 'NOT_ESTABLISHED', message: "conn 'office' has no established IKE SA to rekey" });
  });

  it('both sides forced at once: both requests cross, one pair survives', async () => {
    const { x, moon, sun } = await established('on-demand-both');
    const before = await pairsAcross(moon, sun);
    await Promise.all([moon.engine.rekey('office', { ike: false }), sun.engine.rekey('office', { ike: false })]);
    await x.settle();
    expect(x.describe()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA request 192.0.2.2 -> 192.0.2.1']);
    await x.run(50);
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect([after.aToB, after.bToA]).not.toContain(before.aToB);
    // The loser sends on the winner's pair: its outbound half went in when the old pair was deleted.
    expect(await directions(moon)).toEqual([1, 1]);
    expect(await directions(sun)).toEqual([1, 1]);
  });

  it('crossing IKE SA rekeys of reauth=yes conns are retried as rekeys: the CHILD SA moves along', async () => {
    const reauth = { ...timing, reauth: true };
    const { x, moon, sun } = await establishedPair('on-demand-ike-reauth', reauth, reauth);
    const before = await pairsAcross(moon, sun);
    const ikeBefore = moon.engine.sas()[0]!.data.spiI.toString('hex');
    await Promise.all([moon.engine.rekey('office', { ike: true }), sun.engine.rekey('office', { ike: true })]);
    await live(x, 30);
    const logs = [...moon.log, ...sun.log];
    expect(logs.some((l) => l.includes('TEMPORARY_FAILURE'))).toBe(true);
    expect(logs.some((l) => l.includes('IKE SA rekeyed by us'))).toBe(true);
    expect(logs.some((l) => l.includes('reauthenticating'))).toBe(false);
    expect(moon.engine.sas()).toHaveLength(1);
    expect(moon.engine.sas()[0]!.data.spiI.toString('hex')).not.toBe(ikeBefore);
    const after = await pairsAcross(moon, sun);
    expect(after).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect([after.aToB, after.bToA]).toEqual([before.aToB, before.bToA]);
  });

  it('the responder sends on the new pair only after the old one is deleted', async () => {
    const { x, moon, sun } = await established('handover');
    const before = await pairsAcross(moon, sun);
    await moon.engine.rekey('office', { ike: false });
    await x.settle();
    await x.deliver(); // the request: sun answers, with only the new inbound SA installed
    expect(await directions(sun)).toEqual([2, 1]);
    expect((await sun.kernel.listSas()).find((s) => s.src === sun.address)?.spi).toBe(before.bToA);
    await x.deliver(); // the answer: moon installs both halves and deletes the old pair
    expect(await directions(moon)).toEqual([2, 2]);
    expect(x.describe()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2']);
    await x.deliver(); // the Delete: sun's new outbound SA goes in, then the old pair goes
    expect(await directions(sun)).toEqual([1, 1]);
    await x.run();
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
  });
});
