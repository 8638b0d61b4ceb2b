// Self-proof of the kernel lab: a strongSwan pair (charon + swanctl) carries
// pings host to host with only ESP on the wire, and the same capture check
// reports cleartext when no IPsec is configured. If the lab's kernel, its
// captures or the strongSwan helper were broken, this is where it shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDuring, type CaptureSummary } from '../lab/capture.js';
import { ping } from '../lab/ping.js';
import { Charon, pskHostToHost } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

/** Pings 3 times each way between the outer addresses and returns both hosts' egress captures. */
async function pingBothWays(topo: Topology, family: 4 | 6): Promise<CaptureSummary[]> {
  const leftAddr = family === 4 ? topo.left.outer4 : topo.left.outer6!;
  const rightAddr = family === 4 ? topo.right.outer4 : topo.right.outer6!;
  return captureDuring([topo.left.ns, topo.right.ns], async () => {
    const there = await ping(topo.left.ns, rightAddr, { count: 3 });
    const back = await ping(topo.right.ns, leftAddr, { count: 3 });
    expect(there.received, there.output).toBe(3);
    expect(back.received, back.output).toBe(3);
  });
}

describe.each([4, 6] as const)('strongSwan pair in the lab, IPv%i', (family) => {
  let topo: Topology;
  const charons: Charon[] = [];

  beforeAll(async () => {
    topo = await createTopology();
  });
  afterAll(async () => {
    for (const c of charons) await c.stop();
    await topo?.destroy();
  });

  it('control run: without IPsec the capture sees the pings in cleartext', async () => {
    const [left, right] = await pingBothWays(topo, family);
    expect(left!.esp + right!.esp).toBe(0);
    // 6 requests + 6 replies, each on its sender's egress.
    expect(left!.cleartextEcho + right!.cleartextEcho).toBe(12);
  });

  it('with a PSK transport-mode CHILD_SA only ESP crosses the veth', async () => {
    const leftAddr = family === 4 ? topo.left.outer4 : topo.left.outer6!;
    const rightAddr = family === 4 ? topo.right.outer4 : topo.right.outer6!;
    const psk = 'lab self-proof pre-shared key';
    const [left, right] = await Promise.all([
      Charon.start(topo.left.ns, { name: 'left' }),
      Charon.start(topo.right.ns, { name: 'right' }),
    ]);
    charons.push(left, right);
    await left.load(pskHostToHost({ local: leftAddr, remote: rightAddr, psk }));
    await right.load(pskHostToHost({ local: rightAddr, remote: leftAddr, psk }));
    await left.initiate('host');

    const [leftSa] = await left.listSas();
    const [rightSa] = await right.listSas();
    expect(leftSa?.fields.state).toBe('ESTABLISHED');
    expect(rightSa?.fields.state).toBe('ESTABLISHED');
    const leftChild = leftSa!.children[0]!;
    const rightChild = rightSa!.children[0]!;
    expect(leftChild.fields.state).toBe('INSTALLED');
    expect(leftChild.fields.mode).toBe('TRANSPORT');
    expect(leftChild.fields['encr-alg']).toBe('AES_GCM_16');
    const host = family === 4 ? 32 : 128;
    expect(leftChild.localTs).toEqual([`${leftAddr}/${host}`]);
    expect(leftChild.remoteTs).toEqual([`${rightAddr}/${host}`]);
    // The two sides agree on the SPIs: left's outbound is right's inbound.
    expect(leftChild.fields['spi-out']).toBe(rightChild.fields['spi-in']);
    expect(leftChild.fields['spi-in']).toBe(rightChild.fields['spi-out']);

    const [leftOut, rightOut] = await pingBothWays(topo, family);
    expect(leftOut!.cleartextEcho + rightOut!.cleartextEcho).toBe(0);
    expect(leftOut!.esp).toBe(6);
    expect(rightOut!.esp).toBe(6);
    // Every ESP packet left sends carries the SPI strongSwan reported for it.
    expect([...leftOut!.bySpi.keys()]).toEqual([Number.parseInt(leftChild.fields['spi-out']!, 16)]);
    expect([...rightOut!.bySpi.keys()]).toEqual([Number.parseInt(rightChild.fields['spi-out']!, 16)]);
    // strongSwan's own counters saw the 6 packets each way.
    const [after] = await left.listSas();
    expect(after!.children[0]!.fields['packets-out']).toBe('6');
    expect(after!.children[0]!.fields['packets-in']).toBe('6');
  });
});
