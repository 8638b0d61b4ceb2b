// NAT traversal in the kernel lab (issue 6, "Done when", NAT item): left
// sits behind the NAT namespace (masquerade, with and without port
// rewriting) and initiates to right. The IKE SA must end up on port 4500,
// the CHILD SA must be UDP-encapsulated ESP in both kernels and on the wire
// (egress captures on left and right), pings must pass both ways, and an
// AH conn must be refused by `ipsec up` (non-zero) with the explanation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { captureDuring } from '../lab/capture.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'nat traversal lab secret 4hT9q';

function confFor(topo: Topology, me: 'left' | 'right'): string {
  const left = me === 'left';
  const [l, r] = left ? [topo.left, topo.right] : [topo.right, topo.left];
  return `config setup
    charondebug="ike 1"

conn %default
    keyexchange=ikev2
    authby=secret
    leftid=@${me}.example
    rightid=@${left ? 'right' : 'left'}.example

conn natesp
    left=${l.outer4}
    right=${left ? r.outer4 : '%any'}
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    esp=aes256gcm16
    auto=add

conn natah
    left=${l.outer4}
    right=${left ? r.outer4 : '%any'}
    leftsubnet=${l.inside4}/32
    rightsubnet=${r.inside4}/32
    ah=sha256
    auto=add
`;
}

const secrets = `@left.example @right.example : PSK "${PSK}"\n`;

for (const fullyRandom of [false, true]) {
  describe(`left behind a NAT${fullyRandom ? ' that rewrites source ports' : ''}`, () => {
    let topo: Topology;
    let left: NodeswanDaemon;
    let right: NodeswanDaemon;

    beforeAll(async () => {
      topo = await createTopology({ nat: { fullyRandom } });
      right = await NodeswanDaemon.start(topo.right.ns, { conf: confFor(topo, 'right'), secrets }, { name: 'right' });
      topo.onDestroy(() => right.destroy());
      left = await NodeswanDaemon.start(topo.left.ns, { conf: confFor(topo, 'left'), secrets }, { name: 'left' });
      topo.onDestroy(() => left.destroy());
    }, 180_000);

    afterAll(async () => {
      await topo?.destroy();
    }, 60_000);

    it('establishes on 4500 with UDP-encapsulated ESP, in the kernels and on the wire, and pings pass', async () => {
      const result = await left.up('natesp');
      expect(result.stdout).toContain("connection 'natesp' established successfully");
      expect(left.log()).toContain('NAT detected (we are behind it); moving to port 4500');

      const leftSa = (await left.status('natesp')).ikeSas.find((s) => s.state === 'ESTABLISHED')!;
      expect(leftSa).toMatchObject({ natLocal: true, natRemote: false, localAddress: `${topo.left.outer4}[4500]`, remoteAddress: `${topo.right.outer4}[4500]` });
      const rightSa = (await right.status('natesp')).ikeSas.find((s) => s.state === 'ESTABLISHED')!;
      expect(rightSa).toMatchObject({ natLocal: false, natRemote: true });
      const publicPort = Number(/\[(\d+)\]$/.exec(rightSa.remoteAddress)![1]);
      expect(rightSa.remoteAddress.startsWith(`${topo.leftPublic4}[`)).toBe(true);
      if (!fullyRandom) expect(publicPort).toBe(4500);
      expect(rightSa.children[0]?.encap).toBe(true);

      // Both kernels: ESP in UDP between the ports the IKE SA uses.
      const leftXfrm = (await runIn(topo.left.ns, ['ip', 'xfrm', 'state'])).stdout;
      const rightXfrm = (await runIn(topo.right.ns, ['ip', 'xfrm', 'state'])).stdout;
      expect(leftXfrm.match(/encap type espinudp sport 4500 dport 4500/g)).toHaveLength(2);
      expect(rightXfrm).toContain(`encap type espinudp sport ${publicPort} dport 4500`);
      expect(rightXfrm).toContain(`encap type espinudp sport 4500 dport ${publicPort}`);

      let there = { transmitted: 0, received: 0, output: '' };
      let back = { transmitted: 0, received: 0, output: '' };
      const [leftEgress, rightEgress] = await captureDuring([topo.left.ns, topo.right.ns], async () => {
        there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
        back = await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 3 });
      });
      expect(there.received, there.output).toBe(3);
      expect(back.received, back.output).toBe(3);
      for (const egress of [leftEgress!, rightEgress!]) {
        expect(egress.cleartextEcho).toBe(0);
        expect(egress.udpEncapEsp).toBe(6);
        expect(egress.esp).toBe(6);
      }
    }, 240_000);

    it('refuses the AH conn with the reason and the ESP alternative', async () => {
      const result = await left.ipsec(['up', 'natah']);
      expect(result.exitCode).not.toBe(0);
      const said = result.stdout + result.stderr;
      expect(said).toContain('AH CHILD SA refused');
      expect(said).toContain('AH authenticates the outer IP addresses, which a NAT rewrites');
      expect(said).toContain('UDP encapsulation (RFC 3948) exists for ESP only');
      expect(said).toContain('esp=null-sha256');
      expect(left.log()).toContain('AH CHILD SA refused');
      const states = (await runIn(topo.left.ns, ['ip', 'xfrm', 'state'])).stdout;
      expect(states).not.toContain('proto ah');
      const status = await left.status<StatusSnapshot>('natah');
      expect(status.ikeSas.filter((s) => s.state === 'ESTABLISHED')).toEqual([]);
    }, 120_000);
  });
}

describe('no NAT on the path', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  const conf = (me: 'left' | 'right') => {
    const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
    return `conn %default
    keyexchange=ikev2
    authby=secret
    leftid=@${me}.example
    rightid=@${me === 'left' ? 'right' : 'left'}.example
    left=${l.outer4}
    right=${r.outer4}
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    auto=add

conn ah
    ah=sha256

conn forced
    esp=aes256gcm16
    forceencaps=yes
    # Own identities: the responder picks its conn by the peer's ID.
    leftid=@${me}-forced.example
    rightid=@${me === 'left' ? 'right' : 'left'}-forced.example
`;
  };

  beforeAll(async () => {
    topo = await createTopology();
    const both = `${secrets}@left-forced.example @right-forced.example : PSK "${PSK}"\n`;
    right = await NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets: both }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets: both }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  async function pingsAcross(): Promise<string[]> {
    const filter = 'ah or esp or udp port 4500 or icmp';
    const [l, r] = await captureDuring(
      [topo.left.ns, topo.right.ns],
      async () => {
        const there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
        const back = await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 3 });
        expect(there.received, there.output).toBe(3);
        expect(back.received, back.output).toBe(3);
      },
      { filter },
    );
    // ARP: the capture's own end marker.
    return [...l!.packets, ...r!.packets].filter((p) => p.kind !== 'arp').map((p) => p.line);
  }

  it('AH CHILD SAs work: AH in both kernels and on the wire, pings pass', async () => {
    await left.up('ah');
    for (const ns of [topo.left.ns, topo.right.ns]) {
      const states = (await runIn(ns, ['ip', 'xfrm', 'state'])).stdout;
      expect(states.match(/proto ah /g)).toHaveLength(2);
      expect(states).not.toContain('encap');
    }
    const lines = await pingsAcross();
    // Each host's egress: its 3 requests and 3 replies, each in AH (tunnel mode: inner packet readable).
    expect(lines.filter((l) => /AH\(spi=0x[0-9a-f]+,/.test(l))).toHaveLength(12);
    expect(lines.filter((l) => !/AH\(spi=/.test(l))).toEqual([]);
    const down = await left.ipsec(['down', 'ah']);
    expect(down.exitCode).toBe(0);
  }, 240_000);

  it('forceencaps=yes: port 4500 and UDP-encapsulated ESP without a NAT', async () => {
    await left.up('forced');
    const leftSa = (await left.status('forced')).ikeSas.find((s) => s.state === 'ESTABLISHED')!;
    expect(leftSa).toMatchObject({ natLocal: true, localAddress: `${topo.left.outer4}[4500]`, remoteAddress: `${topo.right.outer4}[4500]` });
    for (const ns of [topo.left.ns, topo.right.ns]) {
      const states = (await runIn(ns, ['ip', 'xfrm', 'state'])).stdout;
      expect(states.match(/encap type espinudp sport 4500 dport 4500/g)).toHaveLength(2);
    }
    const lines = await pingsAcross();
    expect(lines.filter((l) => /UDP-encap: ESP\(spi=/.test(l))).toHaveLength(12);
    expect(lines.filter((l) => !/UDP-encap: ESP\(spi=/.test(l))).toEqual([]);
  }, 240_000);
});
