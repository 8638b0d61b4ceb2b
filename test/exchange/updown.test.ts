// leftupdown / leftfirewall events from two engines over the in-memory
// twins: which verbs fire, with what environment, and that rekeys fire
// nothing. The scripts themselves run in test/updown and the lab test.
import { describe, expect, it } from 'vitest';
import type { IkeConn } from '../../src/ike/conn.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { RecordingUpdown } from '../../src/updown/recording-updown.js';
import { Exchange, pskSecrets } from './harness.js';
import { moonConn, natPair, PSK, sunConn } from './setups.js';

const SCRIPT = '/etc/ipsec.d/updown.sh arg';

async function updownPair(moonOverrides: Partial<IkeConn>, sunOverrides: Partial<IkeConn>) {
  const x = new Exchange();
  const moonUpdown = new RecordingUpdown();
  const sunUpdown = new RecordingUpdown();
  const moon = await x.side('moon', '192.0.2.1', { updown: moonUpdown });
  const sun = await x.side('sun', '192.0.2.2', { updown: sunUpdown });
  const secrets = pskSecrets(PSK, '@moon.example', '@sun.example');
  await moon.engine.loadConns([moonConn(moonOverrides)], secrets);
  await sun.engine.loadConns([sunConn(sunOverrides)], secrets);
  return { x, moon, sun, moonUpdown, sunUpdown };
}

const subnets = {
  moon: { localTs: [tsFromCidr('198.51.100.0/24')], remoteTs: [tsFromCidr('203.0.113.0/24')] },
  sun: { localTs: [tsFromCidr('203.0.113.0/24')], remoteTs: [tsFromCidr('198.51.100.0/24')] },
};

describe('updown events', () => {
  it('fires up-client on both gateways when the tunnel is installed, down-client when it is deleted', async () => {
    const { x, moon, moonUpdown, sunUpdown } = await updownPair({ ...subnets.moon, updown: SCRIPT }, { ...subnets.sun, updown: SCRIPT });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(moonUpdown.lines()).toEqual(['up-client office 198.51.100.0/24 203.0.113.0/24']);
    expect(sunUpdown.lines()).toEqual(['up-client office 203.0.113.0/24 198.51.100.0/24']);

    const [moonUp] = moonUpdown.events;
    const reqid = (await moon.kernel.listPolicies())[0]!.templates[0]!.reqid;
    expect(moonUp!.event.script).toBe(SCRIPT);
    expect(moonUp!.invocations[0]!.env).toMatchObject({
      PLUTO_CONNECTION: 'office',
      PLUTO_ME: '192.0.2.1',
      PLUTO_PEER: '192.0.2.2',
      PLUTO_MY_ID: 'moon.example',
      PLUTO_PEER_ID: 'sun.example',
      PLUTO_PROTO: 'esp',
      PLUTO_REQID: String(reqid),
      PLUTO_UNIQUEID: String(moon.engine.sas()[0]!.id),
    });
    expect(moonUp!.invocations[0]!.env.PLUTO_UDP_ENC).toBeUndefined();

    const down = moon.engine.down('office');
    await x.settle();
    await x.run();
    await down;
    expect(moonUpdown.lines()).toEqual(['up-client office 198.51.100.0/24 203.0.113.0/24', 'down-client office 198.51.100.0/24 203.0.113.0/24']);
    expect(sunUpdown.lines()).toEqual(['up-client office 203.0.113.0/24 198.51.100.0/24', 'down-client office 203.0.113.0/24 198.51.100.0/24']);
    // down carries the same identities and unique id as up.
    expect(moonUpdown.events[1]!.invocations[0]!.env.PLUTO_UNIQUEID).toBe(moonUp!.invocations[0]!.env.PLUTO_UNIQUEID);
  });

  it('fires nothing for a CHILD SA rekey (the policies stay), only the final down', async () => {
    const { x, moon, moonUpdown, sunUpdown } = await updownPair({ ...subnets.moon, updown: SCRIPT }, { ...subnets.sun, updown: SCRIPT });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    await up;
    const sa = moon.engine.sas()[0]!;
    const oldSpi = sa.data.children[0]!.params.spiIn;
    await sa.rekeyChild(sa.data.children[0]!.id);
    await x.settle();
    await x.run();
    const installed = sa.data.children.filter((c) => c.state.is('INSTALLED'));
    expect(installed).toHaveLength(1);
    expect(installed[0]!.params.spiIn).not.toBe(oldSpi);
    expect(moonUpdown.lines()).toEqual(['up-client office 198.51.100.0/24 203.0.113.0/24']);
    expect(sunUpdown.lines()).toEqual(['up-client office 203.0.113.0/24 198.51.100.0/24']);

    // The peer deleting the IKE SA takes the rekeyed CHILD SA down: one down each.
    const down = moon.engine.down('office');
    await x.settle();
    await x.run();
    await down;
    expect(moonUpdown.lines().slice(1)).toEqual(['down-client office 198.51.100.0/24 203.0.113.0/24']);
    expect(sunUpdown.lines().slice(1)).toEqual(['down-client office 203.0.113.0/24 198.51.100.0/24']);
  });

  it('fires up-host for a host-to-host transport SA, and only where leftupdown is set', async () => {
    const { x, moon, moonUpdown, sunUpdown } = await updownPair({ mode: 'transport', updown: SCRIPT }, { mode: 'transport' });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(moonUpdown.lines()).toEqual(['up-host office 192.0.2.1/32 192.0.2.2/32']);
    expect(sunUpdown.events).toEqual([]);
  });

  it('passes leftfirewall and lefthostaccess on to the port', async () => {
    const { x, moon, moonUpdown } = await updownPair({ ...subnets.moon, firewall: true, hostAccess: true }, subnets.sun);
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    await up;
    expect(moonUpdown.events.map((e) => ({ phase: e.event.phase, firewall: e.event.firewall, hostAccess: e.event.hostAccess, script: e.event.script }))).toEqual([
      { phase: 'up', firewall: true, hostAccess: true, script: undefined },
    ]);
  });

  it('fires route-client/unroute-client for the trap policies, up-client when a CHILD SA replaces them', async () => {
    const { x, moon, moonUpdown } = await updownPair({ ...subnets.moon, updown: SCRIPT }, subnets.sun);
    expect(await moon.engine.route('office')).toMatchObject({ ok: true });
    expect(moonUpdown.lines()).toEqual(['route-client office 198.51.100.0/24 203.0.113.0/24']);
    const route = moonUpdown.invocations()[0]!.env;
    expect(route).toMatchObject({ PLUTO_MY_ID: 'moon.example', PLUTO_PEER_ID: 'sun.example', PLUTO_ME: '192.0.2.1', PLUTO_PEER: '192.0.2.2' });
    expect(route.PLUTO_UNIQUEID).toBeUndefined();

    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(moonUpdown.lines().slice(1)).toEqual(['up-client office 198.51.100.0/24 203.0.113.0/24']);
    expect(moonUpdown.invocations()[1]!.env.PLUTO_REQID).toBe(route.PLUTO_REQID);

    expect(await moon.engine.unroute('office')).toMatchObject({ ok: true });
    expect(moonUpdown.lines().slice(2)).toEqual(['unroute-client office 198.51.100.0/24 203.0.113.0/24']);
  });

  it('tells the script about UDP encapsulation behind a NAT (PLUTO_UDP_ENC)', async () => {
    const x = new Exchange();
    x.nat = { inside: '100.64.0.2', outside: '203.0.113.9' };
    const recorder = new RecordingUpdown();
    // natPair builds its own sides; register ours first so moon uses the recorder.
    const moonSide = x.side.bind(x);
    x.side = (name, address, options = {}) => moonSide(name, address, name === 'moon' ? { ...options, updown: recorder } : options);
    const { moon } = await natPair(x, { updown: SCRIPT });
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(recorder.invocations()[0]!.env).toMatchObject({ PLUTO_VERB: 'up-client', PLUTO_UDP_ENC: '4500', PLUTO_ME: '100.64.0.2' });
  });

  it('passes the conn marks to the script (PLUTO_MARK_IN / PLUTO_MARK_OUT)', async () => {
    const tags = { markIn: { value: 42, mask: 0xffffffff }, markOut: { value: 43, mask: 0xffffffff } };
    const { x, moon, moonUpdown } = await updownPair({ ...subnets.moon, updown: SCRIPT, tags }, { ...subnets.sun });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(moonUpdown.events[0]?.event).toMatchObject({ markIn: tags.markIn, markOut: tags.markOut });
  });
});
