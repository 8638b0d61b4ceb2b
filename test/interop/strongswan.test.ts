// nodeswan <-> strongSwan (charon + swanctl from apt) in the kernel lab
// (issue 5, "Done when", second item): for each of the three suites, with
// a PSK (host-to-host transport mode) and with certificates (site-to-site
// tunnel mode between two /28s), first nodeswan initiates (`ipsec up`),
// then strongSwan does (`swanctl --initiate`). Each time both sides must
// describe the same SAs (SPIs, algorithms, IDs, selectors), pings pass
// both ways with only ESP on both hosts' egress (carrying the SPIs both
// report), and tearing down from one side leaves no SA on the other.
//
// One nodeswan daemon (namespace left) and one charon (namespace right)
// serve every case, one conn per peer address pair, the way a gateway
// holds one conn per remote site; conns come up one at a time.
// The configs are what an admin writes from each project's documentation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { Charon } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { addAddressPairs, type AddressPair } from './support/address-pairs.js';
import { disagreements, suites } from './support/agreement.js';
import { createLabPki, type LabPki } from './support/pki.js';
import { swanctlConf, type SwanConnOptions } from './support/swanctl-config.js';
import { assertOnlyEsp, pingBothWays, spiNumber, type PingPath } from './support/traffic.js';

interface Case {
  name: string;
  suite: keyof typeof suites;
  auth: 'psk' | 'cert';
}

const cases: Case[] = [
  { name: 'psk-gcm', suite: 'gcm', auth: 'psk' },
  { name: 'psk-cbc', suite: 'cbc', auth: 'psk' },
  { name: 'psk-chacha', suite: 'chacha', auth: 'psk' },
  { name: 'cert-gcm', suite: 'gcm', auth: 'cert' },
  { name: 'cert-cbc', suite: 'cbc', auth: 'cert' },
  { name: 'cert-chacha', suite: 'chacha', auth: 'cert' },
];

const psk = (name: string) => `interop ${name} pre-shared key, long enough: 5cU8tQ`;
const nodeswanWrongPsk = 'what nodeswan was told: 7Yh2kLm';
const swanWrongPsk = 'what strongSwan was told: 3Pq9wEr';

let topo: Topology;
let pairs: AddressPair[];
let pki: LabPki;
let nodeswan: NodeswanDaemon;
let charon: Charon;

function nodeswanConf(): string {
  const conns = cases.map((c, i) => {
    const p = pairs[i]!;
    const s = suites[c.suite];
    return c.auth === 'psk'
      ? `conn ${c.name}
    left=${p.left}
    right=${p.right}
    type=transport
    authby=secret
    ike=${s.ike}!
    esp=${s.esp}!
`
      : `conn ${c.name}
    left=${p.left}
    leftsubnet=${p.leftSubnet}
    leftcert=left.pem
    right=${p.right}
    rightsubnet=${p.rightSubnet}
    rightid=@right.example.org
    ike=${s.ike}!
    esp=${s.esp}!
`;
  });
  const [legacy, wrong] = [pairs[cases.length]!, pairs[cases.length + 1]!];
  return `# nodeswan, left: one conn per strongSwan peer address
config setup
    charondebug="ike 1, cfg 1"

conn %default
    keyexchange=ikev2
    auto=add

${conns.join('\n')}
# the peer still runs an older proposal
conn legacy
    left=${legacy.left}
    right=${legacy.right}
    type=transport
    authby=secret
    ike=${suites.gcm.ike}!
    esp=${suites.gcm.esp}!

# the two sides were given different keys
conn wrongpsk
    left=${wrong.left}
    right=${wrong.right}
    type=transport
    authby=secret
`;
}

function nodeswanSecrets(): string {
  return cases
    .filter((c) => c.auth === 'psk')
    .map((c) => {
      const p = pairs[cases.indexOf(c)]!;
      return `${p.left} ${p.right} : PSK "${psk(c.name)}"`;
    })
    .concat([
      `${pairs[cases.length]!.left} ${pairs[cases.length]!.right} : PSK "${psk('legacy')}"`,
      `${pairs[cases.length + 1]!.left} ${pairs[cases.length + 1]!.right} : PSK "${nodeswanWrongPsk}"`,
      ': ECDSA left.pem',
    ])
    .join('\n') + '\n';
}

function swanConns(): SwanConnOptions[] {
  const [legacy, wrong] = [pairs[cases.length]!, pairs[cases.length + 1]!];
  const failing: SwanConnOptions[] = [
    { name: 'legacy', local: legacy.right, remote: legacy.left, proposals: 'aes128-sha1-modp2048', espProposals: 'aes128-sha1', auth: { psk: psk('legacy') } },
    { name: 'wrongpsk', local: wrong.right, remote: wrong.left, proposals: 'aes256gcm16-prfsha256-curve25519', espProposals: 'aes256gcm16', auth: { psk: swanWrongPsk } },
  ];
  return failing.concat(cases.map((c, i) => {
    const p = pairs[i]!;
    const s = suites[c.suite];
    return {
      name: c.name,
      local: p.right,
      remote: p.left,
      proposals: s.ike,
      espProposals: s.esp,
      auth: c.auth === 'psk' ? { psk: psk(c.name) } : { cert: 'right.pem', localId: 'right.example.org', remoteId: pki.left.subject },
      ...(c.auth === 'cert' ? { subnets: { local: p.rightSubnet, remote: p.leftSubnet } } : {}),
    };
  }));
}

beforeAll(async () => {
  topo = await createTopology();
  pairs = await addAddressPairs(topo, cases.length + 2);
  pki = await createLabPki({ left: 'left.example.org', right: 'right.example.org', leftAddress: topo.left.outer4, rightAddress: topo.right.outer4 });
  [nodeswan, charon] = await Promise.all([
    NodeswanDaemon.start(
      topo.left.ns,
      {
        conf: nodeswanConf(),
        secrets: nodeswanSecrets(),
        files: { 'cacerts/lab-ca.pem': pki.ca.cert, 'certs/left.pem': pki.left.cert, 'private/left.pem': pki.left.key },
      },
      { name: 'interop' },
    ),
    Charon.start(topo.right.ns, { name: 'interop' }),
  ]);
  topo.onDestroy(() => nodeswan.destroy());
  topo.onDestroy(() => charon.stop());
  await charon.load(swanctlConf(swanConns()), {
    'x509ca/lab-ca.pem': pki.ca.cert,
    'x509/right.pem': pki.right.cert,
    'rsa/right.pem': pki.right.key,
  });
});

afterAll(async () => {
  await topo?.destroy();
});

function paths(c: Case): [PingPath, PingPath] {
  const p = pairs[cases.indexOf(c)]!;
  return c.auth === 'psk'
    ? [{ ns: topo.left.ns, src: p.left, dst: p.right }, { ns: topo.right.ns, src: p.right, dst: p.left }]
    : [{ ns: topo.left.ns, src: p.leftInside, dst: p.rightInside }, { ns: topo.right.ns, src: p.rightInside, dst: p.leftInside }];
}

/** Pings both ways, then compares both daemons' views with each other, the suite and the wire. */
async function checkEstablished(c: Case, weInitiated: boolean): Promise<void> {
  const spis = assertOnlyEsp(await pingBothWays(...paths(c)));
  const [status, swanSas] = await Promise.all([nodeswan.status(c.name), charon.listSas()]);
  const ours = status.ikeSas.find((sa) => sa.name === c.name);
  const theirs = swanSas.find((sa) => sa.name === c.name);
  expect(disagreements(ours, theirs, suites[c.suite], weInitiated), `nodeswan log:\n${nodeswan.log()}`).toEqual([]);
  const child = ours!.children[0]!;
  const swanChild = theirs!.children[0]!;
  expect(child.mode).toBe(c.auth === 'psk' ? 'transport' : 'tunnel');
  // Each host's egress carried only the SPI its daemon reports as outbound.
  expect(spis[0]).toEqual([spiNumber(child.spiOut)]);
  expect(spis[1]).toEqual([spiNumber(swanChild.fields['spi-out']!)]);
  // 3 requests + 3 replies each way, counted by both.
  expect([child.packetsOut, child.packetsIn]).toEqual([6, 6]);
  expect([swanChild.fields['packets-in'], swanChild.fields['packets-out']]).toEqual(['6', '6']);
}

const ikeSasOf = (status: StatusSnapshot, name: string) => status.ikeSas.filter((sa) => sa.name === name);

it('control: before any SA the pings cross in cleartext and the ESP check fails', async () => {
  for (const c of [cases[0]!, cases[3]!]) {
    const traffic = await pingBothWays(...paths(c));
    expect(traffic.egress[0].cleartextEcho + traffic.egress[1].cleartextEcho).toBe(12);
    expect(() => assertOnlyEsp(traffic)).toThrow(/echo packets in the clear/);
  }
});

/** After a failed case: no SA of the conn left on either side, so the next case starts clean. */
async function clearConn(name: string): Promise<void> {
  await nodeswan.ipsec(['down', name]);
  await charon.terminateIke(name);
}

describe.each(cases)('$name', (c) => {
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await clearConn(c.name);
  });

  it(`nodeswan initiates (ipsec up), both agree on SPIs and ${suites[c.suite].ike}, only ESP; ipsec down clears strongSwan`, async () => {
    const up = await nodeswan.up(c.name);
    expect(up.stdout).toContain(`connection '${c.name}' established successfully`);
    await checkEstablished(c, true);
    const down = await nodeswan.ipsec(['down', c.name]);
    expect(down.exitCode, down.stdout + down.stderr).toBe(0);
    expect((await charon.listSas()).filter((sa) => sa.name === c.name)).toEqual([]);
  });

  it(`strongSwan initiates (swanctl --initiate), both agree, only ESP; swanctl --terminate clears nodeswan`, async () => {
    await charon.initiate(c.name);
    await checkEstablished(c, false);
    const terminated = await charon.terminateIke(c.name);
    expect(terminated.exitCode, terminated.stdout + terminated.stderr).toBe(0);
    expect(ikeSasOf(await nodeswan.status(c.name), c.name)).toEqual([]);
  });
});

describe('failures against strongSwan, explained in one line', () => {
  /** `ipsec up` fails with exactly one line on stderr, found verbatim in the daemon's log. */
  async function failingUp(conn: string): Promise<string> {
    const result = await nodeswan.ipsec(['up', conn]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(nodeswan.log()).toContain(lines[0]!);
    return lines[0]!;
  }

  async function failingInitiate(conn: string): Promise<void> {
    const result = await charon.swanctl(['--initiate', '--child', conn, '--timeout', '20'], true);
    expect(result.exitCode).not.toBe(0);
  }

  it('a peer with an older proposal: we name what we offered, and what it offered against what we accept', async () => {
    const legacy = pairs[cases.length]!;
    const line = await failingUp('legacy');
    expect(line).toMatch(new RegExp(`^peer ${legacy.right.replace(/\./g, '\\.')} rejected every IKE proposal of conn 'legacy' \\(NO_PROPOSAL_CHOSEN\\): we offered AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384\\b`));
    await failingInitiate('legacy');
    expect(nodeswan.log()).toMatch(/no acceptable IKE proposal: peer offered AES_CBC_128\/HMAC_SHA1_96\/PRF_HMAC_SHA1\/MODP_2048, conn 'legacy' accepts AES_GCM_16_256\/PRF_HMAC_SHA2_384\/ECP_384/);
  });

  it('different PSKs: AUTHENTICATION_FAILED from either side names the conn and the IDs, never a key', async () => {
    const wrong = pairs[cases.length + 1]!;
    const line = await failingUp('wrongpsk');
    expect(line).toMatch(new RegExp(`^AUTHENTICATION_FAILED: peer ${wrong.right.replace(/\./g, '\\.')} rejected our PSK authentication as '${wrong.left.replace(/\./g, '\\.')}' for conn 'wrongpsk'`));
    await failingInitiate('wrongpsk');
    expect(nodeswan.log()).toContain(`AUTHENTICATION_FAILED: peer '${wrong.right}' (${wrong.right}) sent a pre-shared key AUTH that does not match ours for conn 'wrongpsk'`);
    for (const secret of [nodeswanWrongPsk, swanWrongPsk]) {
      expect(line).not.toContain(secret);
      expect(nodeswan.log()).not.toContain(secret);
    }
  });
});
