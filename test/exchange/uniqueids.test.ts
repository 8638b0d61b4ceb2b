// config setup uniqueids= and the duplicate IKE SAs of both ends
// initiating one conn at once (issue 6 item 1). A road warrior with the
// identity @moon.example first connects from 192.0.2.1, then (a second
// device, or a new address) from 192.0.2.3 while the first IKE SA is up.
// The second one already has another IKE SA with sun (conn 'other'), so its
// IKE_AUTH carries no INITIAL_CONTACT and only uniqueids decides.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { Exchange, pskSecrets, type Side } from './harness.js';
import { moonConn, PSK, sunConn } from './setups.js';
import type { UniqueIds } from '../../src/ike/uniqueness.js';

const secrets = () => pskSecrets(PSK, '@moon.example', '@sun.example', '@moon2.example');

async function sides(uniqueIds: UniqueIds) {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const moon2 = await x.side('moon2', '192.0.2.3');
  const sun = await x.side('sun', '192.0.2.2', { uniqueIds });
  await moon.engine.loadConns([moonConn()], secrets());
  await moon2.engine.loadConns(
    [moonConn({ localAddress: '192.0.2.3' }), moonConn({ name: 'other', localAddress: '192.0.2.3', localId: parseIdentity('@moon2.example'), localTs: [tsFromCidr('198.51.100.0/24')], remoteTs: [tsFromCidr('203.0.113.0/24')] })],
    secrets(),
  );
  await sun.engine.loadConns([sunConn({ remoteAddress: '%any' }), sunConn({ name: 'other', remoteAddress: '%any', remoteId: parseIdentity('@moon2.example'), localTs: [tsFromCidr('203.0.113.0/24')], remoteTs: [tsFromCidr('198.51.100.0/24')] })], secrets());
  expect((await up(x, moon2, 'other')).ok).toBe(true);
  return { x, moon, moon2, sun };
}

async function up(x: Exchange, side: Side, name: string) {
  const result = side.engine.up(name);
  await x.settle();
  await x.run(40);
  return result;
}

const ikeSas = (side: Side, name = 'office') => side.engine.status().ikeSas.filter((s) => s.state === 'ESTABLISHED' && s.name === name);
const spis = (side: Side) => ikeSas(side).map((s) => s.spiI).sort();
const kernelSpis = async (side: Side) => (await side.kernel.listSas()).length;

describe('uniqueids', () => {
  for (const policy of ['yes', 'replace'] as const) {
    it(`uniqueids=${policy}: the new IKE SA for the same peer identity replaces the old one (deleted with the peer)`, async () => {
      const { x, moon, moon2, sun } = await sides(policy);
      expect((await up(x, moon, 'office')).ok).toBe(true);
      const first = spis(sun);
      expect((await up(x, moon2, 'office')).ok).toBe(true);
      await x.run(40);
      expect(ikeSas(sun)).toHaveLength(1);
      expect(spis(sun)).not.toEqual(first);
      expect(ikeSas(sun)[0]!.remoteAddress).toBe('192.0.2.3[500]');
      expect(ikeSas(moon)).toEqual([]); // the old one got a Delete
      expect(ikeSas(moon2)).toHaveLength(1);
      expect(sun.log.join('\n')).toContain(`uniqueids=${policy}: a new IKE SA of conn 'office' with 'moon.example' replaces the older one`);
      // Kernel: moon's pair is gone on both ends; sun keeps office's new pair and other's pair.
      expect(await kernelSpis(moon)).toBe(0);
      expect(await kernelSpis(sun)).toBe(4);
    });
  }

  it('uniqueids=keep: the new IKE SA is refused (deleted), the old one stays', async () => {
    const { x, moon, moon2, sun } = await sides('keep');
    expect((await up(x, moon, 'office')).ok).toBe(true);
    const first = spis(sun);
    await up(x, moon2, 'office');
    await x.run(40);
    expect(spis(sun)).toEqual(first);
    expect(ikeSas(moon)).toHaveLength(1);
    expect(ikeSas(moon2)).toEqual([]);
    expect(sun.log.join('\n')).toContain("uniqueids=keep: conn 'office' already has an IKE SA with 'moon.example'; deleting the new one");
    expect(await kernelSpis(moon)).toBe(2);
    expect(await kernelSpis(sun)).toBe(4);
  });

  for (const policy of ['no', 'never'] as const) {
    it(`uniqueids=${policy}: duplicates are allowed`, async () => {
      const { x, moon, moon2, sun } = await sides(policy);
      expect((await up(x, moon, 'office')).ok).toBe(true);
      expect((await up(x, moon2, 'office')).error).toBeUndefined();
      await x.run(40);
      expect(ikeSas(sun)).toHaveLength(2);
      expect(ikeSas(moon)).toHaveLength(1);
      expect(ikeSas(moon2)).toHaveLength(1);
      expect(await kernelSpis(sun)).toBe(6);
    });
  }

  it('uniqueids=never ignores INITIAL_CONTACT; no honours it', async () => {
    for (const [policy, left] of [['never', 2], ['no', 1]] as const) {
      const { x, moon, sun } = await sides(policy);
      expect((await up(x, moon, 'office')).ok).toBe(true);
      // moon restarts: a fresh engine, whose first IKE_AUTH claims INITIAL_CONTACT.
      await moon.transport.close();
      const reborn = await x.side('moon-again', '192.0.2.1');
      await reborn.engine.loadConns([moonConn()], secrets());
      expect((await up(x, reborn, 'office')).ok).toBe(true);
      expect(ikeSas(sun), policy).toHaveLength(left);
    }
  });
});

describe('both ends initiate the same conn at once', () => {
  for (const policy of ['yes', 'no', 'keep'] as const) {
    for (const order of ['moon first', 'sun first'] as const) {
      it(`uniqueids=${policy}, ${order}: both ipsec up succeed and exactly one IKE SA and one CHILD SA pair remain`, async () => {
        const x = new Exchange();
        const moon = await x.side('moon', '192.0.2.1', { uniqueIds: policy });
        const sun = await x.side('sun', '192.0.2.2', { uniqueIds: policy });
        await moon.engine.loadConns([moonConn()], secrets());
        await sun.engine.loadConns([sunConn()], secrets());
        const [first, second] = order === 'moon first' ? [moon, sun] : [sun, moon];
        const a = first.engine.up('office');
        const b = second.engine.up('office');
        await x.settle();
        // Both IKE_SA_INIT requests are on the wire before either is answered.
        expect(x.describe().filter((d) => d.startsWith('IKE_SA_INIT request'))).toHaveLength(2);
        await x.run(60);
        expect((await a).ok).toBe(true);
        expect((await b).ok).toBe(true);
        await x.run(60);
        for (const side of [moon, sun]) {
          expect(ikeSas(side), side.name).toHaveLength(1);
          expect(side.engine.status().ikeSas, side.name).toHaveLength(1);
          expect(ikeSas(side)[0]!.children.filter((c) => c.state === 'INSTALLED'), side.name).toHaveLength(1);
          expect((await side.kernel.listSas()).length, side.name).toBe(2);
          expect((await side.kernel.listPolicies()).length, side.name).toBeGreaterThan(0);
        }
        // Two IKE SAs were made; the rule removed one, on purpose.
        expect([...moon.log, ...sun.log].join('\n')).toMatch(/both ends initiated conn 'office': deleting our IKE SA \S+ \S+ \(it holds the lowest SPI\)/);
        // The same SA survived on both ends, and its CHILD SA pairs up.
        expect(ikeSas(moon)[0]!.spiI).toBe(ikeSas(sun)[0]!.spiI);
        const [m, s] = [ikeSas(moon)[0]!.children[0]!, ikeSas(sun)[0]!.children[0]!];
        expect([m.spiIn, m.spiOut]).toEqual([s.spiOut, s.spiIn]);
        const inKernel = (await moon.kernel.listSas()).map((k) => k.spi.toString(16).padStart(8, '0')).sort();
        expect(inKernel).toEqual([m.spiIn, m.spiOut].sort());
      });
    }
  }
});

describe('uniqueids from ipsec.conf', () => {
  it('config setup uniqueids=never reaches the engine: a restarted peer\'s INITIAL_CONTACT leaves the old SA', async () => {
    for (const [setup, left] of [['uniqueids=never', 2], ['uniqueids=yes', 1]] as const) {
      const x = new Exchange();
      const moon = await x.side('moon', '192.0.2.1');
      const sun = await x.side('sun', '192.0.2.2');
      const conf = loadConfig('/etc/ipsec.conf', {
        text: `config setup\n    ${setup}\n\nconn office\n    left=192.0.2.2\n    right=192.0.2.1\n    leftid=@sun.example\n    rightid=@moon.example\n    authby=secret\n    auto=add\n`,
      });
      expect(conf.errors).toBe(0);
      await sun.engine.load(conf.model!, secrets());
      await moon.engine.loadConns([moonConn()], secrets());
      expect((await up(x, moon, 'office')).ok).toBe(true);
      await moon.transport.close();
      const reborn = await x.side('moon-again', '192.0.2.1');
      await reborn.engine.loadConns([moonConn()], secrets());
      expect((await up(x, reborn, 'office')).ok).toBe(true);
      expect(ikeSas(sun), setup).toHaveLength(left);
    }
  });
});
