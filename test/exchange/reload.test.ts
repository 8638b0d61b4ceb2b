// `ipsec reload` in the engine (issue 6 item 7): two conns between the
// same two gateways and identities; changing one re-establishes only that
// one (the other's SPIs and kernel state stay), removing one deletes it,
// adding an auto=start one brings it up, a new PSK alone restarts nothing.
import { describe, expect, it } from 'vitest';
import type { IkeConn } from '../../src/ike/conn.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { ESP_CBC, ESP_GCM } from '../ike/fixtures.js';
import { Exchange, pskSecrets, type Side } from './harness.js';
import { moonConn, PSK, sunConn } from './setups.js';

const secrets = (psk = PSK) => pskSecrets(psk, '@moon.example', '@sun.example');

function moonConns(overrides: Record<string, Partial<IkeConn>> = {}): IkeConn[] {
  return [
    moonConn({ name: 'first', localTs: [tsFromCidr('198.51.100.0/25')], remoteTs: [tsFromCidr('203.0.113.0/25')], ...overrides['first'] }),
    moonConn({ name: 'second', localTs: [tsFromCidr('198.51.100.128/25')], remoteTs: [tsFromCidr('203.0.113.128/25')], ...overrides['second'] }),
  ];
}

function sunConns(): IkeConn[] {
  return [
    sunConn({ name: 'first', localTs: [tsFromCidr('203.0.113.0/25')], remoteTs: [tsFromCidr('198.51.100.0/25')], childProposals: [ESP_GCM, ESP_CBC] }),
    sunConn({ name: 'second', localTs: [tsFromCidr('203.0.113.128/25')], remoteTs: [tsFromCidr('198.51.100.128/25')], childProposals: [ESP_GCM, ESP_CBC] }),
    sunConn({ name: 'third', localTs: [tsFromCidr('203.0.113.0/24')], remoteTs: [tsFromCidr('192.0.2.128/25')] }),
  ];
}

async function up(x: Exchange, side: Side, name: string): Promise<void> {
  const result = side.engine.up(name);
  await x.settle();
  await x.run(40);
  expect((await result).error).toBeUndefined();
}

async function down(x: Exchange, side: Side, name: string): Promise<void> {
  const done = side.engine.down(name);
  await x.settle();
  await x.run();
  await done;
}

/** conn -> its installed CHILD SA's SPIs and proposal, as status shows them. */
function children(side: Side): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ike of side.engine.status().ikeSas) {
    for (const c of ike.children) if (c.state === 'INSTALLED') out[ike.name] = `${c.spiIn}/${c.spiOut} ${c.proposal}`;
  }
  return out;
}

async function kernelSpis(side: Side): Promise<number[]> {
  return (await side.kernel.listSas()).map((s) => s.spi).sort((a, b) => a - b);
}

async function twoConnsUp() {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const sun = await x.side('sun', '192.0.2.2');
  await moon.engine.loadConns(moonConns(), secrets());
  await sun.engine.loadConns(sunConns(), secrets());
  await up(x, moon, 'first');
  await up(x, moon, 'second');
  // Same identities for both conns: the second IKE_AUTH must not claim
  // INITIAL_CONTACT, or sun would forget the first conn's SAs.
  expect(Object.keys(children(sun)).sort()).toEqual(['first', 'second']);
  return { x, moon, sun };
}

describe('reload', () => {
  it('a changed conn is re-established with its new proposal; the other keeps its SPIs and kernel state', async () => {
    const { x, moon, sun } = await twoConnsUp();
    const before = { moon: children(moon), sun: children(sun), moonKernel: await kernelSpis(moon), sunKernel: await kernelSpis(sun) };
    expect(before.moon['second']).toContain('AES_GCM_16_256');

    const report = await moon.engine.loadConns(moonConns({ second: { childProposals: [ESP_CBC] } }), secrets());
    expect(report).toEqual({ added: [], removed: [], changed: ['second'], unchanged: ['first'] });
    expect(moon.log.join('\n')).toMatch(/conn 'second' changed \(childProposals\)/);
    await x.settle();
    await x.run(40);

    const after = { moon: children(moon), sun: children(sun) };
    expect(after.moon['first']).toBe(before.moon['first']);
    expect(after.sun['first']).toBe(before.sun['first']);
    expect(after.moon['second']).toContain('AES_CBC_128');
    expect(after.moon['second']!.split(' ')[0]).not.toBe(before.moon['second']!.split(' ')[0]);
    expect(after.sun['second']!.split(' ')[0]).toBe(after.moon['second']!.split(' ')[0]!.split('/').reverse().join('/'));
    // Kernel: the first conn's SAs untouched, the old second pair replaced by the new one.
    const oldSecond = before.moon['second']!.split(' ')[0]!.split('/').map((s) => parseInt(s, 16));
    const newSecond = after.moon['second']!.split(' ')[0]!.split('/').map((s) => parseInt(s, 16));
    const keep = before.moonKernel.filter((spi) => !oldSecond.includes(spi));
    expect(await kernelSpis(moon)).toEqual([...keep, ...newSecond].sort((a, b) => a - b));
    expect(await kernelSpis(sun)).toEqual([...keep, ...newSecond].sort((a, b) => a - b));
    expect(sun.engine.status().ikeSas.map((s) => s.name).sort()).toEqual(['first', 'second']);
  });

  it('the same conns again (a reload without edits): nothing is touched, nothing is sent', async () => {
    const { x, moon, sun } = await twoConnsUp();
    const before = { moon: children(moon), sun: children(sun) };
    const report = await moon.engine.loadConns(moonConns(), secrets());
    expect(report).toEqual({ added: [], removed: [], changed: [], unchanged: ['first', 'second'] });
    await x.settle();
    expect(x.queue).toEqual([]);
    expect({ moon: children(moon), sun: children(sun) }).toEqual(before);
  });

  it('a removed conn is deleted with the peer: its kernel state is gone when the reload returns', async () => {
    const { x, moon, sun } = await twoConnsUp();
    const firstBefore = children(moon)['first'];
    const report = await moon.engine.loadConns(moonConns().filter((c) => c.name === 'first'), secrets());
    expect(report.removed).toEqual(['second']);
    expect((await kernelSpis(moon)).length).toBe(2); // only the first pair
    expect(x.describe()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2']);
    await x.run();
    expect(children(moon)).toEqual({ first: firstBefore });
    expect(Object.keys(children(sun))).toEqual(['first']);
    expect((await kernelSpis(sun)).length).toBe(2);
  });

  it('an added auto=start conn comes up; a new PSK alone restarts nothing and is used by the next negotiation', async () => {
    const { x, moon, sun } = await twoConnsUp();
    const before = children(moon);
    const third = moonConn({ name: 'third', auto: 'start', localTs: [tsFromCidr('192.0.2.128/25')], remoteTs: [tsFromCidr('203.0.113.0/24')] });
    const report = await moon.engine.loadConns([...moonConns(), third], secrets());
    expect(report).toEqual({ added: ['third'], removed: [], changed: [], unchanged: ['first', 'second'] });
    await x.settle();
    await x.run(40);
    expect(Object.keys(children(moon)).sort()).toEqual(['first', 'second', 'third']);
    expect(children(moon)['first']).toBe(before['first']);

    // rereadsecrets on both ends: SAs untouched, the next IKE SA authenticates with the new key.
    await moon.engine.reloadSecrets(secrets('a new key after rereadsecrets'));
    await sun.engine.reloadSecrets(secrets('a new key after rereadsecrets'));
    await x.settle();
    expect(x.queue).toEqual([]);
    expect(Object.keys(children(moon)).sort()).toEqual(['first', 'second', 'third']);
    await down(x, moon, 'third');
    await up(x, moon, 'third');
    // Only the old key on sun now: authentication fails, proving the key is read anew.
    await sun.engine.reloadSecrets(secrets());
    await down(x, moon, 'third');
    const failed = moon.engine.up('third');
    await x.settle();
    await x.run(40);
    expect((await failed).ok).toBe(false);
    expect(Object.keys(children(moon)).sort()).toEqual(['first', 'second']);
  });
});
