// The lab's own network: the topology builds, routes and NATs as documented,
// and the capture sees cleartext when nothing encrypts (the control run every
// "only ESP on the wire" assertion relies on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDuring } from '../lab/capture.js';
import { runIn } from '../lab/netns.js';
import { ping, type PingResult } from '../lab/ping.js';
import { createTopology, listNamespaces, type Topology } from '../lab/topology.js';

describe('direct topology without IPsec', () => {
  let topo: Topology;
  beforeAll(async () => {
    topo = await createTopology();
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  it('carries IPv4 and IPv6 pings in cleartext, host to host and between inside networks', async () => {
    const results: PingResult[] = [];
    const [leftOut, rightOut] = await captureDuring([topo.left.ns, topo.right.ns], async () => {
      results.push(
        await ping(topo.left.ns, topo.right.outer4, { count: 2 }),
        await ping(topo.left.ns, topo.right.outer6!, { count: 2 }),
        await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 2 }),
        await ping(topo.right.ns, topo.left.inside6, { src: topo.right.inside6, count: 2 }),
      );
    });
    for (const r of results) expect(r.received, r.output).toBe(2);
    expect(leftOut!.esp).toBe(0);
    expect(rightOut!.esp).toBe(0);
    // 8 requests and 8 replies, each seen once on the sender's egress.
    expect(leftOut!.cleartextEcho + rightOut!.cleartextEcho).toBe(16);
  });
});

describe('NAT topology', () => {
  let topo: Topology;
  beforeAll(async () => {
    topo = await createTopology({ nat: { fullyRandom: true } });
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  it('masquerades left behind 192.0.2.1', async () => {
    let result!: PingResult;
    const [rightOut] = await captureDuring([topo.right.ns], async () => {
      result = await ping(topo.left.ns, topo.right.outer4, { count: 2 });
    });
    expect(result.received, result.output).toBe(2);
    // right answers the NAT's public address, never the private one.
    expect(rightOut!.packets.filter((p) => p.kind === "cleartext-echo").map((p) => p.line).every((l) => l.includes(`${topo.right.outer4} > ${topo.leftPublic4}:`))).toBe(true);
    expect(rightOut!.cleartextEcho).toBe(2);
  });

  it('drops what the outside starts towards the private side', async () => {
    const { stdout } = await runIn(topo.right.ns, ['ip', 'route', 'get', topo.left.outer4]);
    expect(stdout).toContain(`via ${topo.nat!.outer4}`);
    const result = await ping(topo.right.ns, topo.left.outer4, { count: 1, deadlineSeconds: 2 });
    expect(result.received).toBe(0);
  });
});

describe('teardown', () => {
  it('removes the namespaces it created', async () => {
    const topo = await createTopology({ nat: true });
    const names = [topo.left.ns, topo.right.ns, topo.nat!.ns];
    expect(await listNamespaces()).toEqual(expect.arrayContaining(names));
    await topo.destroy();
    const after = await listNamespaces();
    for (const ns of names) expect(after).not.toContain(ns);
  });
});
