// Issue 4, "Done when": the xfrm KernelBackend alone (no IKE, fixed keys)
// carries traffic between two hosts of the kernel lab. Each host's backend
// runs in a driver process inside its namespace (test/lab/remote-backend.ts),
// because netlink sockets belong to the namespace that opens them.
//
// For every mode x family x ESP suite: pings pass both ways, both hosts'
// egress captures show only ESP with the expected SPIs, and the SA counters
// equal the packets seen on the wire. Then kernel events (soft EXPIRE,
// ACQUIRE) and flush, which must leave state nodeswan did not create alone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { XfrmMode } from '../../src/kernel/backend.js';
import { captureDuring, type CaptureSummary } from '../lab/capture.js';
import { espSuites, installEspPair, type EspPair } from '../lab/fixed-sas.js';
import { run } from '../lab/netns.js';
import { ping, type PingResult } from '../lab/ping.js';
import { RemoteBackend } from '../lab/remote-backend.js';
import { createTopology, type Topology } from '../lab/topology.js';

const pings = 3;
// Each ping run sends `pings` requests and gets `pings` replies: a host's
// outbound SA carries its requests in one run and its replies in the other.
const perDirection = 2 * pings;

/** Captures both hosts' egress while pinging each way; returns [leftEgress, rightEgress]. */
async function pingBothWays(topo: Topology, toRight: string, toLeft: string): Promise<CaptureSummary[]> {
  return captureDuring([topo.left.ns, topo.right.ns], async () => {
    const there = await ping(topo.left.ns, toRight, { count: pings });
    const back = await ping(topo.right.ns, toLeft, { count: pings });
    expect(there.received, `left -> ${toRight}\n${there.output}`).toBe(pings);
    expect(back.received, `right -> ${toLeft}\n${back.output}`).toBe(pings);
  });
}

/** Only ESP of this pair on the wire, and every SA counted exactly what crossed it. */
async function expectOnlyEspCounted(left: RemoteBackend, right: RemoteBackend, pair: EspPair, egress: CaptureSummary[], udpEncap: boolean) {
  const [leftOut, rightOut] = egress as [CaptureSummary, CaptureSummary];
  for (const [name, summary] of [['left', leftOut], ['right', rightOut]] as const) {
    expect(summary.cleartextEcho, `${name} egress:\n${summary.packets.map((p) => p.line).join('\n')}`).toBe(0);
    expect(summary.other, `${name} egress:\n${summary.packets.map((p) => p.line).join('\n')}`).toBe(0);
    expect(summary.esp).toBe(perDirection);
    expect(summary.udpEncapEsp).toBe(udpEncap ? perDirection : 0);
  }
  expect([...leftOut.bySpi]).toEqual([[pair.left.out.spi, perDirection]]);
  expect([...rightOut.bySpi]).toEqual([[pair.right.out.spi, perDirection]]);

  const [leftOutSa, leftInSa, rightOutSa, rightInSa] = await Promise.all([
    left.querySa(pair.left.out),
    left.querySa(pair.left.in),
    right.querySa(pair.right.out),
    right.querySa(pair.right.in),
  ]);
  expect(leftOutSa.current.packets).toBe(perDirection);
  expect(rightInSa.current.packets).toBe(perDirection);
  expect(rightOutSa.current.packets).toBe(perDirection);
  expect(leftInSa.current.packets).toBe(perDirection);
  for (const sa of [leftOutSa, leftInSa, rightOutSa, rightInSa]) {
    expect(sa.current.bytes).toBeGreaterThan(0);
    expect(sa.stats.integrityFailed).toBe(0);
  }
  // What one end encrypted is what the other decrypted.
  expect(rightInSa.current.bytes).toBe(leftOutSa.current.bytes);
  expect(leftInSa.current.bytes).toBe(rightOutSa.current.bytes);
}

describe('xfrm backend, two hosts on one link', () => {
  let topo: Topology;
  let left: RemoteBackend;
  let right: RemoteBackend;
  let caseNumber = 0;

  beforeAll(async () => {
    topo = await createTopology();
    [left, right] = await Promise.all([RemoteBackend.start(topo.left.ns), RemoteBackend.start(topo.right.ns)]);
  });
  afterEach(async () => {
    await Promise.all([left?.flush(), right?.flush()]);
  });
  afterAll(async () => {
    await Promise.all([left?.close(), right?.close()]);
    await topo?.destroy();
  });

  const cases = (['transport', 'tunnel'] as XfrmMode[]).flatMap((mode) =>
    ([4, 6] as const).flatMap((family) => espSuites.map((suite) => ({ mode, family, suite, label: `${mode} IPv${family} ${suite.name}` }))),
  );

  it.each(cases)('$label: pings pass both ways, only ESP on the wire, counters match', async ({ mode, family, suite }) => {
    const n = caseNumber++;
    const L = topo.left;
    const R = topo.right;
    const outer = (h: typeof L) => (family === 4 ? h.outer4 : h.outer6!);
    const inside = (h: typeof L) => (family === 4 ? h.inside4 : h.inside6);
    const subnet = (h: typeof L) => (mode === 'transport' ? outer(h) : family === 4 ? h.insideNet4 : h.insideNet6);
    const pair = await installEspPair(
      { backend: left, address: outer(L), subnet: subnet(L), insideAddress: inside(L), routeVia: outer(R), routeDev: L.wan },
      { backend: right, address: outer(R), subnet: subnet(R), insideAddress: inside(R), routeVia: outer(L), routeDev: R.wan },
      { mode, suite, reqid: left.reqidRange.base + 1 + n, spis: [0x10000 + 2 * n, 0x10001 + 2 * n], routes: true },
    );
    // In tunnel mode the ping names no source: nodeswan's route must pick the inside address.
    const egress =
      mode === 'transport'
        ? await pingBothWays(topo, outer(R), outer(L))
        : await pingBothWays(topo, inside(R), inside(L));
    await expectOnlyEspCounted(left, right, pair, egress, false);
  });

  it('raises a soft EXPIRE event for an SA with a 2-second soft lifetime, and keeps the SA', async () => {
    const spi = 0x20001;
    const reqid = left.reqidRange.base + 100;
    const expired = await left.watchEvents((e) => e.type === 'expire' && e.sa.spi === spi);
    const added = performance.now();
    await left.addSa({
      src: topo.left.outer4,
      dst: topo.right.outer4,
      spi,
      proto: 'esp',
      mode: 'transport',
      reqid,
      algorithms: espSuites[0]!.algorithms(),
      lifetime: { softAddSeconds: 2, hardAddSeconds: 120 },
    });
    const event = await expired.next;
    const seconds = (performance.now() - added) / 1000;
    expect(event).toMatchObject({ type: 'expire', hard: false, sa: { spi, dst: topo.right.outer4, src: topo.left.outer4, proto: 'esp', reqid } });
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    const sa = await left.querySa({ dst: topo.right.outer4, spi, proto: 'esp' });
    expect(sa.lifetime).toMatchObject({ softAddSeconds: 2, hardAddSeconds: 120 });
  });

  it('raises an ACQUIRE event when traffic hits a trap policy, and lets nothing out in the clear', async () => {
    const reqid = left.reqidRange.base + 101;
    const handle = await left.addPolicy({
      dir: 'out',
      selector: { src: topo.left.outer4, dst: topo.right.outer4 },
      priority: 1000,
      templates: [{ proto: 'esp', mode: 'transport', reqid }],
    });
    const acquired = await left.watchEvents((e) => e.type === 'acquire' && e.reqid === reqid);
    let result!: PingResult;
    const [wire] = await captureDuring([topo.left.ns], async () => {
      result = await ping(topo.left.ns, topo.right.outer4, { count: 1, deadlineSeconds: 2 });
    });
    const event = await acquired.next;
    expect(result.received).toBe(0);
    expect(wire!.cleartextEcho + wire!.esp).toBe(0);
    expect(event).toMatchObject({
      type: 'acquire',
      reqid,
      policyIndex: handle.index,
      policyDir: 'out',
      src: topo.left.outer4,
      dst: topo.right.outer4,
      proto: 'esp',
    });
    if (event.type === 'acquire') expect(event.packet).toMatchObject({ src: `${topo.left.outer4}/32`, dst: `${topo.right.outer4}/32`, proto: 1 });
  });

  it('flush removes everything nodeswan installed and leaves foreign state and policies alone', async () => {
    const ns = topo.left.ns;
    const ip = (...args: string[]) => run(['ip', '-n', ns, ...args]);
    // Another IPsec program's state: an SA, a policy with its template, and a plain pass policy.
    await ip('xfrm', 'state', 'add', 'src', topo.left.outer4, 'dst', topo.right.outer4, 'proto', 'esp', 'spi', '0x7007', 'reqid', '7',
      'mode', 'transport', 'aead', 'rfc4106(gcm(aes))', `0x${'42'.repeat(36)}`, '128');
    await ip('xfrm', 'policy', 'add', 'src', `${topo.left.outer4}/32`, 'dst', '192.0.2.77/32', 'dir', 'out', 'priority', '500',
      'tmpl', 'proto', 'esp', 'reqid', '7', 'mode', 'transport');
    await ip('xfrm', 'policy', 'add', 'src', '192.0.2.88/32', 'dst', `${topo.left.outer4}/32`, 'dir', 'in', 'priority', '500');
    const before = { state: (await ip('xfrm', 'state')).stdout, policy: (await ip('xfrm', 'policy')).stdout };

    // nodeswan's own: a tunnel pair with its route, plus a pass and a block policy of its own.
    await installEspPair(
      { backend: left, address: topo.left.outer4, subnet: topo.left.insideNet4, insideAddress: topo.left.inside4, routeVia: topo.right.outer4 },
      { backend: right, address: topo.right.outer4, subnet: topo.right.insideNet4, insideAddress: topo.right.inside4, routeVia: topo.left.outer4 },
      { mode: 'tunnel', suite: espSuites[2]!, reqid: left.reqidRange.base + 102, spis: [0x30001, 0x30002], routes: true },
    );
    await left.addPolicy({ dir: 'out', selector: { src: topo.left.outer4, dst: '192.0.2.99', proto: 17, dstPort: 500 }, priority: 10, templates: [] });
    await left.addPolicy({ dir: 'fwd', selector: { src: '198.51.100.0/24', dst: '0.0.0.0/0' }, priority: 5000, action: 'block', templates: [] });
    expect((await ip('xfrm', 'state')).stdout).not.toBe(before.state);
    expect((await ip('route', 'show', 'table', '4500')).stdout).toContain('203.0.113.0/24');

    const removed = await left.flush();
    expect(removed).toEqual({ sas: 2, policies: 4, routes: 1 });
    expect((await ip('xfrm', 'state')).stdout).toBe(before.state);
    expect((await ip('xfrm', 'policy')).stdout).toBe(before.policy);
    expect((await ip('route', 'show', 'table', '4500')).stdout.trim()).toBe('');
    expect(await left.listSas()).toEqual([]);
    expect(await left.listPolicies()).toEqual([]);
    // The foreign SA is still usable state: same SPI and reqid as before.
    expect(before.state).toContain('spi 0x00007007 reqid 7');
    await ip('xfrm', 'state', 'flush');
    await ip('xfrm', 'policy', 'flush');
  });
});

describe.each([
  { variant: 'port-preserving NAT', fullyRandom: false },
  { variant: 'fully-random NAT', fullyRandom: true },
])('xfrm backend, left behind a $variant, ESP in UDP 4500', ({ fullyRandom }) => {
  let topo: Topology;
  let left: RemoteBackend;
  let right: RemoteBackend;
  let caseNumber = 0;
  let probe: () => Promise<number>;

  beforeAll(async () => {
    topo = await createTopology({ nat: { fullyRandom } });
    [left, right] = await Promise.all([RemoteBackend.start(topo.left.ns), RemoteBackend.start(topo.right.ns)]);
    const leftUdp = await left.openUdp(topo.left.outer4, 4500, { encap: true });
    const rightUdp = await right.openUdp(topo.right.outer4, 4500, { encap: true });
    // A datagram starting with the 4-byte non-ESP marker reaches the socket
    // (ESP would be decapsulated by the kernel); its source is the NAT mapping.
    probe = async () => {
      const received = rightUdp.receive();
      await leftUdp.send(topo.right.outer4, 4500, new Uint8Array([0, 0, 0, 0, ...Buffer.from('nat probe')]));
      const datagram = await received;
      expect(datagram.address).toBe(topo.leftPublic4);
      expect(Buffer.from(datagram.data).subarray(4).toString()).toBe('nat probe');
      return datagram.port;
    };
  });
  afterEach(async () => {
    await Promise.all([left?.flush(), right?.flush()]);
  });
  afterAll(async () => {
    await Promise.all([left?.close(), right?.close()]);
    await topo?.destroy();
  });

  it.each(espSuites.map((suite) => ({ suite, label: suite.name })))(
    'tunnel IPv4 $label: pings pass both ways, only UDP-encapsulated ESP, counters match',
    async ({ suite }) => {
      const n = caseNumber++;
      const natPort = await probe();
      if (fullyRandom) expect(natPort).not.toBe(4500);
      else expect(natPort).toBe(4500);
      const L = topo.left;
      const R = topo.right;
      const pair = await installEspPair(
        {
          backend: left, address: L.outer4, publicAddress: topo.leftPublic4, subnet: L.insideNet4, insideAddress: L.inside4,
          routeVia: topo.nat!.inside4, routeDev: L.wan, encapPort: 4500, publicEncapPort: natPort,
        },
        { backend: right, address: R.outer4, subnet: R.insideNet4, insideAddress: R.inside4, routeVia: topo.nat!.outer4, routeDev: R.wan, encapPort: 4500 },
        { mode: 'tunnel', suite, reqid: left.reqidRange.base + 1 + n, spis: [0x40000 + 2 * n, 0x40001 + 2 * n], routes: true },
      );
      // The public side of the NAT, both directions: what an observer on the Internet sees.
      let egress!: CaptureSummary[];
      const [natEgress] = await captureDuring([topo.nat!.ns], async () => {
        egress = await pingBothWays(topo, R.inside4, L.inside4);
      }, { direction: 'inout' });
      await expectOnlyEspCounted(left, right, pair, egress, true);
      // Through the NAT: left's ESP leaves with the mapped public port, right's comes back to it.
      expect(natEgress!.udpEncapEsp).toBe(2 * perDirection);
      expect(natEgress!.cleartextEcho).toBe(0);
      const natLines = natEgress!.packets.filter((p) => p.kind === 'udp-encap-esp').map((p) => p.line);
      expect(natLines.filter((l) => l.includes(`${topo.leftPublic4}.${natPort} > ${R.outer4}.4500:`))).toHaveLength(perDirection);
      expect(natLines.filter((l) => l.includes(`${R.outer4}.4500 > ${topo.leftPublic4}.${natPort}:`))).toHaveLength(perDirection);
      expect(egress[1]!.packets.every((p) => p.kind !== 'udp-encap-esp' || p.line.includes(`> ${topo.leftPublic4}.${natPort}:`))).toBe(true);
    },
  );

  it('raises a MAPPING event when the NAT maps left to a new public port', async () => {
    const natPort = await probe();
    const L = topo.left;
    const R = topo.right;
    const pair = await installEspPair(
      {
        backend: left, address: L.outer4, publicAddress: topo.leftPublic4, subnet: L.insideNet4, insideAddress: L.inside4,
        routeVia: topo.nat!.inside4, routeDev: L.wan, encapPort: 4500, publicEncapPort: natPort,
      },
      { backend: right, address: R.outer4, subnet: R.insideNet4, insideAddress: R.inside4, routeVia: topo.nat!.outer4, routeDev: R.wan, encapPort: 4500 },
      { mode: 'tunnel', suite: espSuites[0]!, reqid: left.reqidRange.base + 50, spis: [0x50001, 0x50002], routes: true },
    );
    const first = await ping(L.ns, R.inside4, { count: 1 });
    expect(first.received, first.output).toBe(1);
    // Left now sends from another local port: a new conntrack entry, a new public port.
    const mapping = await right.watchEvents((e) => e.type === 'mapping');
    await left.updateSa({ ...pair.left.outSpec, encap: { srcPort: 4501, dstPort: 4500 } });
    const second = await ping(L.ns, R.inside4, { count: 1 });
    const event = await mapping.next;
    expect(second.received, second.output).toBe(1);
    expect(event).toMatchObject({
      type: 'mapping',
      sa: { dst: R.outer4, spi: pair.right.in.spi, proto: 'esp' },
      reqid: left.reqidRange.base + 50,
      oldSrc: topo.leftPublic4,
      oldSrcPort: natPort,
      newSrc: topo.leftPublic4,
    });
    if (event.type === 'mapping') {
      expect(event.newSrcPort).not.toBe(natPort);
      if (!fullyRandom) expect(event.newSrcPort).toBe(4501);
    }
  });
});
