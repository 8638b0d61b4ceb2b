// nodeswan <-> nodeswan through the real `ipsec` command, one daemon per
// namespace (issue 5, "Done when", first item): host-to-host transport mode
// with a PSK over IPv4 and IPv6, and site-to-site tunnel mode between
// 198.51.100.0/24 and 203.0.113.0/24 with certificates from the PKI
// library. Each case pings both ways with both hosts' egress captured (only
// ESP, with the SPIs status reports), and checks that the counters in
// `ipsec status --json` equal the kernel's own (`ip -s xfrm state`). A
// control run before any SA exists proves the capture check can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusChildSa, StatusSnapshot } from '../../src/daemon/engine.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { stateBySpi, xfrmStates } from '../interop/support/kernel-view.js';
import { createLabPki } from '../interop/support/pki.js';
import { assertOnlyEsp, pingBothWays, spiNumber, type PingPath } from '../interop/support/traffic.js';

function childOf(status: StatusSnapshot, conn: string): StatusChildSa {
  const ike = status.ikeSas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED');
  const child = ike?.children.find((c) => c.state === 'INSTALLED');
  if (!child) throw new Error(`no installed CHILD SA of '${conn}' in status:\n${JSON.stringify(status, null, 2)}`);
  return child;
}

/** Both daemons' view of conn after traffic: SPIs pair up, packets went where the capture saw them, counters equal the kernel's. */
async function checkSas(left: NodeswanDaemon, right: NodeswanDaemon, conn: string, egressSpis: [number[], number[]], packets: number): Promise<void> {
  const [leftChild, rightChild] = [childOf(await left.status(), conn), childOf(await right.status(), conn)];
  expect(leftChild.spiOut).toBe(rightChild.spiIn);
  expect(leftChild.spiIn).toBe(rightChild.spiOut);
  expect(egressSpis[0]).toEqual([spiNumber(leftChild.spiOut)]);
  expect(egressSpis[1]).toEqual([spiNumber(rightChild.spiOut)]);
  for (const [daemon, child] of [[left, leftChild], [right, rightChild]] as const) {
    const kernel = await xfrmStates(daemon.ns);
    const inbound = stateBySpi(kernel, child.spiIn);
    const outbound = stateBySpi(kernel, child.spiOut);
    expect({ packetsIn: child.packetsIn, bytesIn: child.bytesIn, packetsOut: child.packetsOut, bytesOut: child.bytesOut }).toEqual({
      packetsIn: inbound.packets,
      bytesIn: inbound.bytes,
      packetsOut: outbound.packets,
      bytesOut: outbound.bytes,
    });
    expect(child.packetsIn).toBe(packets);
    expect(child.packetsOut).toBe(packets);
    expect(inbound.mode).toBe(child.mode);
    expect(outbound.mode).toBe(child.mode);
  }
}

async function up(daemon: NodeswanDaemon, conn: string): Promise<string> {
  const result = await daemon.up(conn);
  expect(result.stdout).toContain(`connection '${conn}' established successfully`);
  return result.stdout;
}

describe('nodeswan <-> nodeswan, host to host, transport mode, PSK', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  const psk = 'a shared secret for nodeswan host to host 7Rq2';

  beforeAll(async () => {
    topo = await createTopology();
    // What an admin writes for a host-to-host transport connection per
    // address family; the right side only answers.
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
      return `config setup
    charondebug="ike 1, knl 1"

conn %default
    keyexchange=ikev2
    type=transport
    authby=secret

conn host4
    left=${l.outer4}
    right=${r.outer4}
    auto=add

conn host6
    left=${l.outer6}
    right=${r.outer6}
    auto=add
`;
    };
    const secrets = `# host-to-host keys
${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"
${topo.left.outer6} ${topo.right.outer6} : PSK "${psk}"
`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  const paths = (family: 4 | 6): [PingPath, PingPath] => [
    { ns: topo.left.ns, dst: family === 4 ? topo.right.outer4 : topo.right.outer6! },
    { ns: topo.right.ns, dst: family === 4 ? topo.left.outer4 : topo.left.outer6! },
  ];

  it('control: before any SA the same check sees the pings in cleartext and fails', async () => {
    for (const family of [4, 6] as const) {
      const traffic = await pingBothWays(...paths(family));
      expect(traffic.egress[0].cleartextEcho + traffic.egress[1].cleartextEcho).toBe(12);
      expect(() => assertOnlyEsp(traffic)).toThrow(/echo packets in the clear/);
    }
  });

  it.each([
    ['host4', 4],
    ['host6', 6],
  ] as const)('%s: ipsec up, pings both ways only as ESP, status counters equal the kernel', async (conn, family) => {
    await up(left, conn);
    const traffic = await pingBothWays(...paths(family));
    const spis = assertOnlyEsp(traffic);
    await checkSas(left, right, conn, spis, 6);
    const [ike] = (await right.status()).ikeSas.filter((sa) => sa.name === conn);
    expect(ike?.initiator).toBe(false);
    expect(ike?.children[0]?.mode).toBe('transport');
  });
});

describe('nodeswan <-> nodeswan, site to site, tunnel mode, certificates', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    const pki = await createLabPki({ left: 'left.example.org', right: 'right.example.org', leftAddress: topo.left.outer4, rightAddress: topo.right.outer4 });
    // left names itself by FQDN, right goes by its certificate's subject DN.
    const leftConf = `config setup

conn sites
    left=${topo.left.outer4}
    leftsubnet=${topo.left.insideNet4}
    leftcert=left.pem
    leftid=@left.example.org
    right=${topo.right.outer4}
    rightsubnet=${topo.right.insideNet4}
    rightid="${pki.right.subject}"
    auto=add
`;
    const rightConf = `config setup

conn sites
    left=${topo.right.outer4}
    leftsubnet=${topo.right.insideNet4}
    leftcert=right.pem
    right=${topo.left.outer4}
    rightsubnet=${topo.left.insideNet4}
    rightid=@left.example.org
    auto=add
`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(
        topo.left.ns,
        { conf: leftConf, secrets: ': ECDSA left.pem\n', files: { 'cacerts/lab-ca.pem': pki.ca.cert, 'certs/left.pem': pki.left.cert, 'private/left.pem': pki.left.key } },
        { name: 'left' },
      ),
      NodeswanDaemon.start(
        topo.right.ns,
        { conf: rightConf, secrets: ': RSA right.pem\n', files: { 'cacerts/lab-ca.pem': pki.ca.cert, 'certs/right.pem': pki.right.cert, 'private/right.pem': pki.right.key } },
        { name: 'right' },
      ),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  const paths = (): [PingPath, PingPath] => [
    { ns: topo.left.ns, dst: topo.right.inside4, src: topo.left.inside4 },
    { ns: topo.right.ns, dst: topo.left.inside4, src: topo.right.inside4 },
  ];

  it('control: before the SA the inside networks talk in cleartext and the check fails', async () => {
    const traffic = await pingBothWays(...paths());
    expect(traffic.egress[0].cleartextEcho + traffic.egress[1].cleartextEcho).toBe(12);
    expect(() => assertOnlyEsp(traffic)).toThrow(/echo packets in the clear/);
  });

  it('ipsec up: 198.51.100.0/24 <-> 203.0.113.0/24 only as ESP, both ends agree, counters equal the kernel', async () => {
    await up(left, 'sites');
    const traffic = await pingBothWays(...paths());
    const spis = assertOnlyEsp(traffic);
    await checkSas(left, right, 'sites', spis, 6);
    const [leftIke] = (await left.status()).ikeSas;
    const [rightIke] = (await right.status()).ikeSas;
    expect(leftIke?.remoteId).toBe((rightIke?.localId));
    expect(rightIke?.remoteId).toBe(leftIke?.localId);
    expect(leftIke?.children[0]).toMatchObject({ mode: 'tunnel', localTs: ['198.51.100.0/24'], remoteTs: ['203.0.113.0/24'] });
    expect(rightIke?.children[0]).toMatchObject({ mode: 'tunnel', localTs: ['203.0.113.0/24'], remoteTs: ['198.51.100.0/24'] });
  });
});
