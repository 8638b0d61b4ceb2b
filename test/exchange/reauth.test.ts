// reauth=yes (issue 6 item 1): at IKE rekey time nodeswan builds a new IKE
// SA with a fresh IKE_SA_INIT + IKE_AUTH and its CHILD SA, and deletes the
// old IKE SA only once the new CHILD SA is installed: at every step of the
// exchange both kernels hold an installed pair whose keys match, so
// traffic never stops. reauth=no rekeys with CREATE_CHILD_SA instead.
import { describe, expect, it } from 'vitest';
import type { Side } from './harness.js';
import { pairsAcross, seededPair } from './rekey-support.js';

/**
 * Traffic flows both ways: some CHILD SA installed on `a` has its partner
 * installed on `b` (SPIs crossed, same keys), and all four SAs are in the
 * kernels. During the handover one side briefly holds two pairs.
 */
async function sharedPair(a: Side, b: Side): Promise<boolean> {
  const installed = (s: Side) => s.engine.sas().flatMap((sa) => sa.data.children.filter((c) => c.state.is('INSTALLED')).map((c) => c.params));
  const [kernelA, kernelB] = [new Set((await a.kernel.listSas()).map((s) => s.spi)), new Set((await b.kernel.listSas()).map((s) => s.spi))];
  const key = (k: { encryption?: { key: Uint8Array } }) => Buffer.from(k.encryption?.key ?? []).toString('hex');
  return installed(a).some((ca) =>
    installed(b).some(
      (cb) =>
        cb.spiIn === ca.spiOut && cb.spiOut === ca.spiIn && key(ca.outbound) === key(cb.inbound) && key(ca.inbound) === key(cb.outbound) &&
        kernelA.has(ca.spiIn) && kernelA.has(ca.spiOut) && kernelB.has(cb.spiIn) && kernelB.has(cb.spiOut),
    ),
  );
}

const ikeSpis = (side: Side) => side.engine.sas().map((sa) => sa.data.spiI.toString('hex'));

describe('reauth', () => {
  it('reauth=yes: a new IKE SA and CHILD SA replace the old ones make-before-break, with no gap', async () => {
    const timing = { ikeLifetimeSeconds: 100, rekeyMarginSeconds: 20, rekeyFuzzPercent: 0, reauth: true };
    const { x, moon, sun } = await seededPair('reauth', timing, { ...timing, ikeLifetimeSeconds: 1000 });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const before = { ike: ikeSpis(moon), kernel: (await moon.kernel.listSas()).map((s) => s.spi).sort() };

    await x.advance(80_000); // ikelifetime - rekeymargin
    expect(x.describe()[0]).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2'); // not CREATE_CHILD_SA
    const steps: string[] = [];
    while (x.queue.length > 0) {
      steps.push(await x.deliver());
      // After every datagram: each kernel holds a matching pair with policies.
      expect(await sharedPair(moon, sun), steps.join('\n')).toBe(true);
      for (const side of [moon, sun]) expect((await side.kernel.listPolicies()).length, side.name).toBeGreaterThan(0);
    }
    expect(steps).toEqual([
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_AUTH request 192.0.2.1 -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 192.0.2.1',
      'INFORMATIONAL request 192.0.2.1 -> 192.0.2.2',
      'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1',
    ]);
    await x.settle();
    expect(ikeSpis(moon)).toHaveLength(1);
    expect(ikeSpis(moon)).not.toEqual(before.ike);
    expect(ikeSpis(sun)).toEqual(ikeSpis(moon));
    const after = (await moon.kernel.listSas()).map((s) => s.spi).sort();
    expect(after).toHaveLength(2);
    expect(after.some((spi) => before.kernel.includes(spi))).toBe(false);
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
    expect(moon.log.join('\n')).toMatch(/IKE SA reauthenticated: \w+_i replaces \w+_i/);
    // The new IKE_AUTH claimed no INITIAL_CONTACT: sun did not drop the old SA before moon's Delete.
    expect(sun.log.join('\n')).not.toContain('INITIAL_CONTACT');
  });

  it('a failed reauthentication keeps the old IKE SA and is tried again 30 s later', async () => {
    const timing = { ikeLifetimeSeconds: 100, rekeyMarginSeconds: 20, rekeyFuzzPercent: 0, reauth: true, retransmit: { timeoutMs: 1000, base: 2, tries: 1 } };
    const { x, moon, sun } = await seededPair('reauth-retry', timing, { ...timing, ikeLifetimeSeconds: 1000 });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const before = ikeSpis(moon);

    await x.advance(80_000);
    // The peer does not answer: the request and its one retransmission are lost.
    expect(x.drop()).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2');
    await x.advance(1000);
    expect(x.drop()).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2');
    await x.advance(2000);
    await x.settle();
    expect(moon.log.join('\n')).toContain('reauthentication failed (peer 192.0.2.2 did not answer IKE_SA_INIT after 1 retransmits; giving up); the old IKE SA stays, next attempt in 30 s');
    expect(ikeSpis(moon)).toEqual(before);
    expect(x.queue).toHaveLength(0);

    await x.advance(29_999);
    expect(x.queue).toHaveLength(0);
    await x.advance(1);
    expect(x.describe()).toEqual(['IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2']);
    await x.run();
    await x.settle();
    expect(ikeSpis(moon)).toHaveLength(1);
    expect(ikeSpis(moon)).not.toEqual(before);
    expect(ikeSpis(sun)).toEqual(ikeSpis(moon));
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
  });

  it('reauth=no: the IKE SA is rekeyed with CREATE_CHILD_SA', async () => {
    const timing = { ikeLifetimeSeconds: 100, rekeyMarginSeconds: 20, rekeyFuzzPercent: 0, reauth: false };
    const { x, moon } = await seededPair('no-reauth', timing, { ...timing, ikeLifetimeSeconds: 1000 });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    await x.advance(80_000);
    expect(x.describe()[0]).toBe('CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2');
  });
});
