// NAT cases beyond lifecycle-nat.test.ts, left behind the NAT namespace.
// 1. encapsulation=no: no NAT-D, IKE on 500, plain ESP on the wire.
// 2. The NAT in front of left changes its mapping mid-tunnel (issue 6, NAT
// item: "the peer's NAT mapping changing ... without tearing the SA down"),
// in the kernel lab. Left sits behind the NAT namespace; once the tunnel is
// up the NAT is told to map to ports 40000-40099 from now on and forgets
// its current mappings (removing the masquerading address drops them, the
// way a NAT reboot or a DHCP renewal would). Left's next ESP then reaches
// right from a new source port; right's kernel reports it (XFRM MAPPING),
// right's daemon moves the SAs' UDP encapsulation and the IKE SA to that
// port in place: pings keep passing, with the same SPIs on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { captureDuring } from '../lab/capture.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ipBatch, runIn, shIn } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'nat mapping lab secret 9vB3k';

function confFor(topo: Topology, me: 'left' | 'right'): string {
  const left = me === 'left';
  const [l, r] = left ? [topo.left, topo.right] : [topo.right, topo.left];
  return `conn natesp
    keyexchange=ikev2
    authby=secret
    leftid=@${me}.example
    rightid=@${left ? 'right' : 'left'}.example
    left=${l.outer4}
    right=${left ? r.outer4 : '%any'}
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    esp=aes256gcm16
    auto=add

conn plain
    # The same subnets as natesp (never up at the same time); tunnel mode,
    # as transport mode across a NAT needs NAT-T to agree on selectors.
    keyexchange=ikev2
    authby=secret
    leftid=@${me}-plain.example
    rightid=@${left ? 'right' : 'left'}-plain.example
    left=${l.outer4}
    right=${left ? r.outer4 : '%any'}
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    esp=aes256gcm16
    encapsulation=no
    auto=add
`;
}

const secrets = `@left.example @right.example : PSK "${PSK}"\n@left-plain.example @right-plain.example : PSK "${PSK}"\n`;

const child = (s: StatusSnapshot) => s.ikeSas.find((sa) => sa.state === 'ESTABLISHED')!.children.find((c) => c.state === 'INSTALLED')!;
const portOf = (address: string) => Number(/\[(\d+)\]$/.exec(address)![1]);

describe('the NAT in front of left gives it a new port mid-tunnel', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology({ nat: true });
    right = await NodeswanDaemon.start(topo.right.ns, { conf: confFor(topo, 'right'), secrets }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: confFor(topo, 'left'), secrets }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  // Runs first, while the NAT still masquerades everything the plain way.
  it('encapsulation=no: IKE stays on 500 and ESP is plain IP protocol 50 (Linux masquerade happens to pass it for one inside host)', async () => {
    await left.up('plain');
    expect(left.log()).toContain("conn 'plain': encapsulation=no: NAT detection is off (no NAT-D sent)");
    const leftSa = (await left.status('plain')).ikeSas.find((s) => s.state === 'ESTABLISHED')!;
    expect(leftSa).toMatchObject({ natLocal: false, natRemote: false, localAddress: `${topo.left.outer4}[500]`, remoteAddress: `${topo.right.outer4}[500]` });
    expect(leftSa.children[0]!.encap).toBe(false);
    const rightSa = (await right.status('plain')).ikeSas.find((s) => s.state === 'ESTABLISHED')!;
    expect(rightSa).toMatchObject({ natLocal: false, natRemote: false, remoteAddress: `${topo.leftPublic4}[500]` });
    for (const ns of [topo.left.ns, topo.right.ns]) expect((await runIn(ns, ['ip', 'xfrm', 'state'])).stdout).not.toContain('encap');
    const [leftEgress, rightEgress] = await captureDuring([topo.left.ns, topo.right.ns], async () => {
      const there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
      expect(there.received, there.output).toBe(3);
    });
    for (const egress of [leftEgress!, rightEgress!]) {
      expect(egress.cleartextEcho).toBe(0);
      expect(egress.esp).toBe(3);
      expect(egress.udpEncapEsp).toBe(0);
    }
    const down = await left.ipsec(['down', 'plain']);
    expect(down.exitCode).toBe(0);
  }, 240_000);

  it('right follows the new port (kernel MAPPING): same SPIs, pings keep passing', async () => {
    await left.up('natesp');
    const first = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
    expect(first.received, first.output).toBe(3);
    const leftBefore = child(await left.status('natesp'));
    const rightStatus = await right.status('natesp');
    const rightBefore = child(rightStatus);
    const oldPort = portOf(rightStatus.ikeSas[0]!.remoteAddress);
    expect(oldPort).toBe(4500); // plain masquerade keeps the source port
    const from = right.log().length;

    // The NAT: new mappings from 40000-40099, and the current ones forgotten.
    const nat = topo.nat!;
    await shIn(nat.ns, 'nft -f -', {
      input: [
        'flush chain ip nodeswan_nat postrouting',
        `add rule ip nodeswan_nat postrouting oifname "wan0" ip saddr ${nat.insideNet4} meta l4proto udp masquerade to :40000-40099`,
        `add rule ip nodeswan_nat postrouting oifname "wan0" ip saddr ${nat.insideNet4} masquerade`,
      ].join('\n'),
    });
    // Removing the address the NAT masquerades to drops its conntrack
    // entries; a second address keeps wan0's routes and neighbours meanwhile.
    await ipBatch(nat.ns, [`addr add 192.0.2.254/32 dev wan0`, `addr del ${nat.outer4}/24 dev wan0`, `addr add ${nat.outer4}/24 dev wan0`, `addr del 192.0.2.254/32 dev wan0`]);

    // The first echo reaches right from the new port; its reply may still
    // go to the old one, until right has moved the SAs.
    const across = await runIn(topo.left.ns, ['busybox', 'ping', '-4', '-q', '-i', '0.5', '-c', '8', '-w', '20', '-I', topo.left.inside4, topo.right.inside4], { allowFailure: true, timeoutMs: 30_000 });
    const received = Number(/(\d+) packets received/.exec(across.stdout)?.[1] ?? 0);
    expect(received, across.stdout + right.log().slice(from)).toBeGreaterThanOrEqual(6);

    const moved = /peer's NAT mapping moved from port (\d+) to (\d+); updating UDP encapsulation of 1 CHILD SA/.exec(right.log().slice(from));
    expect(moved, right.log().slice(from)).not.toBeNull();
    const newPort = Number(moved![2]);
    if (process.env.NODESWAN_LAB_TRACE) process.stderr.write(`[lab] NAT mapping ${oldPort} -> ${newPort}: ${received} of 8 echoes answered across the change\n`);
    expect(Number(moved![1])).toBe(oldPort);
    expect(newPort).toBeGreaterThanOrEqual(40000);
    expect(newPort).toBeLessThanOrEqual(40099);

    // Same SPIs on both sides; right's IKE SA and kernel SAs use the new port.
    const rightAfter = await right.status('natesp');
    expect(rightAfter.ikeSas).toHaveLength(1);
    expect(rightAfter.ikeSas[0]!.remoteAddress).toBe(`${topo.leftPublic4}[${newPort}]`);
    expect([child(rightAfter).spiIn, child(rightAfter).spiOut]).toEqual([rightBefore.spiIn, rightBefore.spiOut]);
    const leftAfter = child(await left.status('natesp'));
    expect([leftAfter.spiIn, leftAfter.spiOut]).toEqual([leftBefore.spiIn, leftBefore.spiOut]);
    const rightXfrm = (await runIn(topo.right.ns, ['ip', 'xfrm', 'state'])).stdout;
    expect(rightXfrm).toContain(`encap type espinudp sport ${newPort} dport 4500`);
    expect(rightXfrm).toContain(`encap type espinudp sport 4500 dport ${newPort}`);
    expect(rightXfrm).not.toContain(`sport ${oldPort} dport 4500`);

    // Both ways, every echo, and IKE still works over the new mapping.
    const there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
    const back = await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 3 });
    expect(there.received, there.output).toBe(3);
    expect(back.received, back.output).toBe(3);
    const down = await right.ipsec(['down', 'natesp']);
    expect(down.exitCode).toBe(0);
    expect((await left.status('natesp')).ikeSas.filter((s) => s.state === 'ESTABLISHED')).toEqual([]);
  }, 240_000);
});
