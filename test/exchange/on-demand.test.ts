// On-demand negotiation between two nodeswan engines over the memory
// kernel twin: auto=route installs trap policies, a packet that hits them
// raises ACQUIRE and starts exactly one negotiation, the CHILD SA's
// policies take the trap's place and give it back when the SA goes;
// `route`/`unroute` at run time, reload and shutdown; dpdaction=hold and
// closeaction=hold|restart.

import { describe, expect, it } from 'vitest';
import type { KernelEvent, PolicyState } from '../../src/kernel/backend.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import type { IkeConn } from '../../src/ike/conn.js';
import type { TrapChange } from '../../src/ike/traps.js';
import { IkeEngine } from '../../src/ike/engine.js';
import { ManualClock } from '../../src/ike/clock.js';
import { MemoryBackend } from '../../src/kernel/memory/backend.js';
import { VirtualNetwork } from '../../src/net/memory-transport.js';
import { pskSecrets, type Exchange, type Side } from './harness.js';
import { moonConn, pair, PSK } from './setups.js';

/** A packet from moon to sun as the kernel's SPD sees it. */
function ping(side: Side, dst = '192.0.2.2', src = side.address): PolicyState | undefined {
  return side.kernel.kernel.outboundPacket({ src, dst, proto: 1 });
}

/** Take the conn down on one side, delivering the exchange. */
async function down(x: Exchange, side: Side): Promise<void> {
  const done = side.engine.down('office');
  await x.settle();
  await x.run();
  await done;
  await x.settle();
}

/** Policies without their kernel index (which differs between installs). */
async function policies(side: Side): Promise<string[]> {
  return (await side.kernel.listPolicies())
    .map((p) => `${p.dir} ${p.selector.src} -> ${p.selector.dst} reqid ${p.templates[0]?.reqid ?? '-'}`)
    .sort();
}

function acquires(side: Side): KernelEvent[] {
  const seen: KernelEvent[] = [];
  side.kernel.kernel.listen((e) => {
    if (e.type === 'acquire') seen.push(e);
  });
  return seen;
}

async function routedPair(moon: Partial<IkeConn> = {}, sun: Partial<IkeConn> = {}) {
  return pair({ auto: 'route', ...moon }, sun);
}

/** Deliver until quiet; then the IKE SAs of the conn on that side. */
async function established(x: { run(): Promise<string[]>; settle(): Promise<void> }, side: Side) {
  await x.settle();
  await x.run();
  return side.engine.sas().filter((sa) => sa.data.state.is('ESTABLISHED'));
}

describe('auto=route', () => {
  it('installs trap policies and no SA when the conn is loaded; status shows it routed', async () => {
    const { moon } = await routedPair();
    expect(await moon.kernel.listSas()).toEqual([]);
    const reqid = moon.kernel.reqidRange.base + 1;
    expect(await policies(moon)).toEqual([
      `in 192.0.2.2/32 -> 192.0.2.1/32 reqid ${reqid}`,
      `out 192.0.2.1/32 -> 192.0.2.2/32 reqid ${reqid}`,
    ]);
    expect(moon.engine.sas()).toEqual([]);
    expect(moon.engine.status().conns[0]!.trap).toEqual({ reason: 'route', reqid });
  });

  it('the first packet starts one negotiation; the CHILD SA takes the trap\'s place and gives it back when it goes', async () => {
    const { x, moon, sun } = await routedPair();
    const trapped = await policies(moon);
    const seen = acquires(moon);
    expect(ping(moon)?.dir).toBe('out');
    ping(moon); // held back by the pending acquire: no second ACQUIRE
    expect(seen).toHaveLength(1);
    const sas = await established(x, moon);
    expect(sas).toHaveLength(1);
    expect(sas[0]!.data.children.filter((c) => c.state.is('INSTALLED'))).toHaveLength(1);
    // The pending acquire's larval state is gone: exactly the SA pair.
    expect((await moon.kernel.listSas()).filter((s) => !s.larval)).toHaveLength(2);
    expect((await moon.kernel.listSas()).filter((s) => s.larval)).toEqual([]);
    expect(await policies(moon)).toEqual(trapped);
    expect(moon.log.some((l) => l.includes("hit the trap of conn 'office'"))).toBe(true);
    // Now the SA carries the traffic: no ACQUIRE.
    ping(moon);
    expect(seen).toHaveLength(1);

    // The peer deletes the SAs: the trap stays, the next packet triggers again.
    await down(x, sun);
    expect(moon.engine.sas()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await policies(moon)).toEqual(trapped);
    ping(moon);
    expect(seen).toHaveLength(2);
    expect(await established(x, moon)).toHaveLength(1);
  });

  it('several ACQUIREs while negotiating start only one IKE SA', async () => {
    const { x, moon } = await routedPair({ localTs: [tsFromCidr('198.51.100.0/24')], remoteTs: [tsFromCidr('203.0.113.0/24')] }, { localTs: [tsFromCidr('203.0.113.0/24')], remoteTs: [tsFromCidr('198.51.100.0/24')] });
    const seen = acquires(moon);
    ping(moon, '203.0.113.7', '198.51.100.7');
    expect(seen).toHaveLength(1);
    // The kernel may ask again (another acquire state, the larval one expired).
    for (let i = 0; i < 3; i++) moon.kernel.kernel.emit({ ...(seen[0] as Extract<KernelEvent, { type: 'acquire' }>), seq: 100 + i });
    await x.settle();
    expect(moon.engine.sas()).toHaveLength(1);
    expect(await established(x, moon)).toHaveLength(1);
    // Also once it is up.
    moon.kernel.kernel.emit({ ...(seen[0] as Extract<KernelEvent, { type: 'acquire' }>), seq: 200 });
    await x.settle();
    expect(moon.engine.sas()).toHaveLength(1);
  });

  it('an ACQUIRE for a conn that is not routed starts nothing', async () => {
    const { x, moon } = await pair();
    await moon.kernel.kernel.emit({
      type: 'acquire', reqid: moon.kernel.reqidRange.base + 1, policyIndex: 8, policyDir: 'out', src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp',
      selector: { src: '192.0.2.1/32', dst: '192.0.2.2/32' }, packet: { src: '192.0.2.1/32', dst: '192.0.2.2/32' }, seq: 1,
    });
    await x.settle();
    expect(moon.engine.sas()).toEqual([]);
  });
});

describe('ipsec route / unroute', () => {
  it('route installs the trap at run time, unroute removes it; errors name the reason', async () => {
    const { moon } = await pair();
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(await moon.engine.route('office')).toEqual({ ok: true });
    expect(await policies(moon)).toHaveLength(2);
    expect(await moon.engine.unroute('office')).toEqual({ ok: true });
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(moon.engine.status().conns[0]!.trap).toBeUndefined();
    expect(await moon.engine.unroute('office')).toEqual({ ok: false, error: "conn 'office' is not routed" });
    expect(await moon.engine.route('nope')).toEqual({ ok: false, error: "no conn named 'nope' is loaded" });
  });

  it('refuses a conn without a peer address', async () => {
    const { moon } = await pair();
    await moon.engine.loadConns([moonConn({ remoteAddress: '%any' })], pskSecrets(PSK, '@moon.example', '@sun.example'));
    const result = await moon.engine.route('office');
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/right=%any/);
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });

  it('unroute while the SA is up leaves the SA and its policies; they go with the SA', async () => {
    const { x, moon } = await routedPair();
    ping(moon);
    expect(await established(x, moon)).toHaveLength(1);
    const withSa = await policies(moon);
    expect(await moon.engine.unroute('office')).toEqual({ ok: true });
    expect(await policies(moon)).toEqual(withSa);
    expect((await moon.kernel.listSas()).filter((s) => !s.larval)).toHaveLength(2);
    await down(x, moon);
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
  });

  it('routing a conn that is up keeps its traffic on the SA and leaves the trap when it goes', async () => {
    const { x, moon } = await pair();
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const withSa = await policies(moon);
    expect(await moon.engine.route('office')).toEqual({ ok: true });
    expect(await policies(moon)).toEqual(withSa);
    await down(x, moon);
    expect(await policies(moon)).toEqual(withSa); // the same selectors, now as the trap
    expect(await moon.kernel.listSas()).toEqual([]);
  });

  it('reports the updown hook on route and unroute', async () => {
    const transport = new VirtualNetwork().endpoint([{ address: '192.0.2.1', port: 500 }]);
    await transport.start();
    const changes: TrapChange[] = [];
    const engine = new IkeEngine({ transport, kernel: new MemoryBackend(), clock: new ManualClock(0), onTrapChange: (c) => changes.push(c) });
    await engine.loadConns([moonConn({ auto: 'route' })], pskSecrets(PSK, '@moon.example', '@sun.example'));
    await engine.unroute('office');
    expect(changes.map((c) => `${c.verb} ${c.trap.conn} ${c.trap.policies.length}`)).toEqual(['route office 2', 'unroute office 2']);
  });
});

describe('reload and shutdown', () => {
  it('a removed route conn loses its traps, a changed one gets new ones, an unchanged one keeps them', async () => {
    const { moon } = await routedPair();
    const secrets = pskSecrets(PSK, '@moon.example', '@sun.example');
    const other = moonConn({ name: 'other', auto: 'route', remoteAddress: '192.0.2.3' });
    await moon.engine.loadConns([moonConn({ auto: 'route' }), other], secrets);
    const before = await policies(moon);
    expect(before).toHaveLength(4);
    // office changes its selectors, other stays as it is.
    await moon.engine.loadConns([moonConn({ auto: 'route', remoteTs: [tsFromCidr('203.0.113.0/24')] }), other], secrets);
    const after = await policies(moon);
    expect(after).toHaveLength(4);
    expect(after.filter((p) => p.includes('192.0.2.3'))).toEqual(before.filter((p) => p.includes('192.0.2.3')));
    expect(after.some((p) => p.includes('203.0.113.0/24'))).toBe(true);
    expect(after.some((p) => p.includes('192.0.2.2/32'))).toBe(false);
    // Both go: no policy left.
    await moon.engine.loadConns([], secrets);
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });

  it('a conn changed from auto=route to auto=add loses its trap', async () => {
    const { moon } = await routedPair();
    await moon.engine.loadConns([moonConn({ auto: 'add' })], pskSecrets(PSK, '@moon.example', '@sun.example'));
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });

  it('shutdown leaves the kernel clean, with and without an SA up', async () => {
    const { x, moon } = await routedPair();
    ping(moon);
    expect(await established(x, moon)).toHaveLength(1);
    const stopped = moon.engine.shutdown();
    await x.settle();
    await x.run();
    await x.advance(2000);
    await stopped;
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
  });
});

const DPD = { dpdDelaySeconds: 30, dpdTimeoutSeconds: 60 };

describe('dpdaction=hold and closeaction', () => {
  async function upPair(moon: Partial<IkeConn>, sun: Partial<IkeConn> = {}) {
    const p = await pair(moon, sun);
    const up = p.moon.engine.up('office');
    await p.x.settle();
    await p.x.run();
    expect((await up).ok).toBe(true);
    return p;
  }

  it('dpdaction=hold: a dead peer\'s SAs go, a trap takes their place and the next packet negotiates again', async () => {
    const { x, moon, sun } = await upPair({ ...DPD, dpdAction: 'hold' });
    const withSa = await policies(moon);
    while (!moon.log.some((l) => l.includes('is dead'))) {
      await x.advance(1000);
      x.queue.length = 0; // the peer is gone
    }
    expect(moon.engine.sas()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await policies(moon)).toEqual(withSa);
    expect(moon.engine.status().conns[0]!.trap?.reason).toBe('hold');
    // The peer comes back (forgets its old SA); traffic brings the tunnel back.
    await sun.engine.sas()[0]!.abandon('restarted');
    const seen = acquires(moon);
    ping(moon);
    expect(seen).toHaveLength(1);
    expect(await established(x, moon)).toHaveLength(1);
  });

  it('dpdaction=clear leaves no trap', async () => {
    const { x, moon } = await upPair({ ...DPD, dpdAction: 'clear' });
    while (!moon.log.some((l) => l.includes('is dead'))) {
      await x.advance(1000);
      x.queue.length = 0;
    }
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });

  it('closeaction=hold: the peer deleting the IKE SA leaves a trap', async () => {
    const { x, moon, sun } = await upPair({ closeAction: 'hold' });
    const withSa = await policies(moon);
    await down(x, sun);
    expect(moon.engine.sas()).toEqual([]);
    expect(await policies(moon)).toEqual(withSa);
    expect(moon.engine.status().conns[0]!.trap?.reason).toBe('hold');
  });

  it('closeaction=restart: the peer deleting the CHILD SA makes us negotiate the conn again', async () => {
    const { x, moon, sun } = await upPair({ closeAction: 'restart' });
    const first = moon.engine.sas()[0]!.data.spiI.toString('hex');
    const child = sun.engine.sas()[0]!.data.children[0]!;
    await sun.engine.sas()[0]!.deleteChild(child.id);
    for (let i = 0; i < 10 && !moon.engine.sas().some((sa) => sa.data.spiI.toString('hex') !== first && sa.data.state.is('ESTABLISHED')); i++) {
      await x.run();
      await x.settle();
    }
    const now = moon.engine.sas().filter((sa) => sa.data.state.is('ESTABLISHED'));
    expect(now).toHaveLength(1);
    expect(now[0]!.data.spiI.toString('hex')).not.toBe(first);
    expect(now[0]!.data.children.filter((c) => c.state.is('INSTALLED'))).toHaveLength(1);
    expect(moon.log.some((l) => l.includes('closeaction=restart'))).toBe(true);
  });

  it('a CHILD SA the peer rekeys (and then deletes) is replaced, not closed: closeaction stays quiet', async () => {
    const { x, moon, sun } = await upPair({ closeAction: 'restart' });
    const first = moon.engine.sas()[0]!.data.spiI.toString('hex');
    await sun.engine.sas()[0]!.rekeyChild(sun.engine.sas()[0]!.data.children[0]!.id);
    await x.run();
    await x.settle();
    expect(moon.log.some((l) => l.includes('closeaction=restart'))).toBe(false);
    expect(moon.engine.sas().map((sa) => sa.data.spiI.toString('hex'))).toEqual([first]);
  });
});
