// IKE fragmentation against strongSwan in the kernel lab (issue 6, "Done
// when"): both hosts' links have MTU 1280, both authenticate with RSA
// certificates from a 3-certificate chain (root -> intermediate -> leaf),
// so IKE_AUTH cannot go whole. Each side initiates once; both sides must
// fragment their IKE_AUTH, reassemble the other's, and the CHILD SA must
// carry pings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChain, type Chain } from '../../src/pki/chain.js';
import { issueCertificate, type Credential } from '../../src/pki/issue.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ipBatch } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { Charon } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

let topo: Topology;
let chain: Chain;
let right: Credential;
let nodeswan: NodeswanDaemon;
let charon: Charon;

beforeAll(async () => {
  topo = await createTopology();
  await ipBatch(topo.left.ns, ['link set wan0 mtu 1280']);
  await ipBatch(topo.right.ns, ['link set wan0 mtu 1280']);
  chain = await createChain({ type: 'rsa', size: 3072, dn: 'C=CH, O=nodeswan test, CN=left.example', san: ['left.example'] });
  right = await issueCertificate({ dn: 'C=CH, O=nodeswan test, CN=right.example', san: ['right.example'], type: 'rsa', size: 3072, issuer: chain.intermediate });
  nodeswan = await NodeswanDaemon.start(
    topo.left.ns,
    {
      conf: `config setup
    charondebug="ike 2"

conn frag
    keyexchange=ikev2
    left=${topo.left.outer4}
    leftsubnet=${topo.left.insideNet4}
    leftcert=left.pem
    leftid=@left.example
    leftsendcert=always
    right=${topo.right.outer4}
    rightsubnet=${topo.right.insideNet4}
    rightid=@right.example
    fragmentation=yes
    auto=add
`,
      secrets: ': RSA left.pem\n',
      files: {
        'cacerts/root.pem': chain.root.cert,
        'cacerts/intermediate.pem': chain.intermediate.cert,
        'certs/left.pem': chain.leaf.cert,
        'private/left.pem': chain.leaf.key,
      },
    },
    { name: 'frag' },
  );
  topo.onDestroy(() => nodeswan.destroy());
  charon = await Charon.start(topo.right.ns, { name: 'frag' });
  topo.onDestroy(() => charon.stop());
  await charon.load(
    {
      connections: {
        frag: {
          version: 2,
          local_addrs: topo.right.outer4,
          remote_addrs: topo.left.outer4,
          fragmentation: 'yes',
          send_cert: 'always',
          local: { auth: 'pubkey', certs: 'right.pem', id: 'right.example' },
          remote: { auth: 'pubkey', id: 'left.example' },
          children: { frag: { mode: 'tunnel', local_ts: topo.right.insideNet4, remote_ts: topo.left.insideNet4, start_action: 'none' } },
        },
      },
    },
    {
      'x509ca/root.pem': chain.root.cert,
      'x509ca/intermediate.pem': chain.intermediate.cert,
      'x509/right.pem': right.cert,
      'private/right.pem': right.key,
    },
  );
}, 240_000);

afterAll(async () => {
  await topo?.destroy();
}, 60_000);

async function pingsPass(): Promise<void> {
  const there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
  expect(there.received, there.output).toBe(3);
  const back = await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 3 });
  expect(back.received, back.output).toBe(3);
}

/** charon's own account of the fragments it sent and reassembled since `from` in its log. */
function charonFragments(from: number): { split: number; reassembled: number } {
  const log = charon.fileLog().slice(from);
  return { split: (log.match(/splitting IKE message .* into \d+ fragments/g) ?? []).length, reassembled: (log.match(/reassembled fragmented IKE message/g) ?? []).length };
}

describe('IKE fragmentation with strongSwan over MTU 1280, 3-certificate chains', () => {
  it('nodeswan initiates: both IKE_AUTH messages fragmented and reassembled, pings pass', async () => {
    const mark = charon.fileLog().length;
    const result = await nodeswan.up('frag');
    expect(result.stdout).toContain("connection 'frag' established successfully");
    // charon reassembled our fragmented request and split its own response.
    expect(charonFragments(mark)).toEqual({ split: 1, reassembled: 1 });
    await pingsPass();
    await nodeswan.ipsec(['down', 'frag']);
  }, 180_000);

  it('strongSwan initiates: both IKE_AUTH messages fragmented and reassembled, pings pass', async () => {
    const mark = charon.fileLog().length;
    await charon.initiate('frag', { ike: 'frag' });
    expect(charonFragments(mark)).toEqual({ split: 1, reassembled: 1 });
    const status = await nodeswan.status('frag');
    expect(status.ikeSas.filter((s) => s.state === 'ESTABLISHED')).toHaveLength(1);
    await pingsPass();
  }, 180_000);
});
