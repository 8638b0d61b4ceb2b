// A CHILD SA for a conn whose IKE SA is up but carries none (the peer
// deleted only the CHILD SA, or it expired): `ipsec up` and the kernel's
// ACQUIRE on a trap add one with CREATE_CHILD_SA on that IKE SA (RFC 7296
// §1.3.1) instead of negotiating a second IKE SA.
import { describe, expect, it } from 'vitest';
import type { PolicyState } from '../../src/kernel/backend.js';
import type { IkeConn } from '../../src/ike/conn.js';
import type { Exchange, Side } from './harness.js';
import { pairsAcross } from './rekey-support.js';
import { pair } from './setups.js';

/** Moon brings 'office' up; then sun deletes only the CHILD SA, with a Delete moon answers. */
async function childlessPair(moonOverrides: Partial<IkeConn> = {}): Promise<{ x: Exchange; moon: Side; sun: Side; ikeSpi: string }> {
  const { x, moon, sun } = await pair(moonOverrides);
  const up = moon.engine.up('office');
  await x.settle();
  await x.run();
  expect((await up).ok).toBe(true);
  const sunSa = sun.engine.sas()[0]!;
  const done = sunSa.deleteChild(sunSa.data.children[0]!.id);
  await x.settle();
  expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.2 -> 192.0.2.1', 'INFORMATIONAL response 192.0.2.1 -> 192.0.2.2']);
  await done;
  await x.settle();
  for (const side of [moon, sun]) {
    expect(side.engine.sas(), side.name).toHaveLength(1);
    expect(side.engine.sas()[0]!.data.children.filter((c) => c.state.is('INSTALLED')), side.name).toEqual([]);
    expect(await side.kernel.listSas(), side.name).toEqual([]);
  }
  return { x, moon, sun, ikeSpi: moon.engine.sas()[0]!.data.spiI.toString('hex') };
}

const ikeSpis = (side: Side) => side.engine.sas().map((sa) => sa.data.spiI.toString('hex'));

describe('a new CHILD SA on an IKE SA that has none', () => {
  it('ipsec up: one CREATE_CHILD_SA exchange, the same IKE SA, a working pair in both kernels', async () => {
    const { x, moon, sun, ikeSpi } = await childlessPair();
    const up = moon.engine.up('office');
    await x.settle();
    const wire = await x.run();
    expect(wire).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA response 192.0.2.2 -> 192.0.2.1']);
    const result = await up;
    expect(result.ok, result.error).toBe(true);
    expect(ikeSpis(moon)).toEqual([ikeSpi]);
    expect(ikeSpis(sun)).toEqual([ikeSpi]);
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
    for (const side of [moon, sun]) expect((await side.kernel.listPolicies()).length, side.name).toBeGreaterThan(0);
    expect(moon.log.join('\n')).toContain("creating a CHILD SA for conn 'office' on the existing IKE SA");
  });

  it('auto=route: the next packet hits the trap and the CHILD SA comes on the existing IKE SA', async () => {
    const { x, moon, sun, ikeSpi } = await childlessPair({ auto: 'route' });
    const hit: PolicyState | undefined = moon.kernel.kernel.outboundPacket({ src: '192.0.2.1', dst: '192.0.2.2', proto: 1 });
    expect(hit?.dir).toBe('out');
    await x.settle();
    expect(await x.run()).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA response 192.0.2.2 -> 192.0.2.1']);
    await x.settle();
    expect(ikeSpis(moon)).toEqual([ikeSpi]);
    expect(await pairsAcross(moon, sun)).toMatchObject({ counts: [2, 2], keysMatch: true });
  });

  it('a refusal is reported and a new IKE SA is negotiated instead', async () => {
    const { x, moon, sun } = await childlessPair();
    // Sun no longer accepts moon's ESP proposal for a new CHILD SA.
    const sunConn = sun.engine.sas()[0]!.data.conn!;
    const saved = sunConn.childProposals;
    sunConn.childProposals = [];
    const up = moon.engine.up('office');
    await x.settle();
    const wire = await x.run();
    sunConn.childProposals = saved;
    expect(wire.slice(0, 2)).toEqual(['CREATE_CHILD_SA request 192.0.2.1 -> 192.0.2.2', 'CREATE_CHILD_SA response 192.0.2.2 -> 192.0.2.1']);
    await x.settle();
    await x.run();
    await up;
    expect(moon.log.join('\n')).toMatch(/conn 'office': no CHILD SA on the existing IKE SA \(peer 192\.0\.2\.2 refused to create a CHILD SA of conn 'office' \(NO_PROPOSAL_CHOSEN\)\); negotiating a new IKE SA/);
  });
});
