// `ipsec stop` and the two failures admins meet first, with nodeswan on
// both ends, through the real `ipsec` command (issue 5, "Done when", third
// item):
// - `ipsec stop` deletes the SAs with the peer and leaves the kernel as it
//   was before the daemon started: foreign SAs and policies (added here with
//   `ip xfrm`) byte for byte, routes and rules too; the peer, told by the
//   Delete, removes its side.
// - a mismatched ike= and a wrong PSK: `ipsec up` exits non-zero with one
//   line saying what failed, the same line is in the initiator's log, and the
//   responder's log says it from its side (the peer's proposals, which PSK
//   did not verify). No secret appears in any output or log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../lab/netns.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates, xfrmText } from '../interop/support/kernel-view.js';
import { assertOnlyEsp, pingBothWays } from '../interop/support/traffic.js';

async function kernelTables(ns: string): Promise<{ states: string; policies: string; routes: string; rules: string }> {
  const [xfrm, routes, routes6, rules, rules6] = await Promise.all([
    xfrmText(ns),
    run(['ip', '-n', ns, 'route', 'show', 'table', 'all']),
    run(['ip', '-n', ns, '-6', 'route', 'show', 'table', 'all']),
    run(['ip', '-n', ns, 'rule', 'show']),
    run(['ip', '-n', ns, '-6', 'rule', 'show']),
  ]);
  return { ...xfrm, routes: routes.stdout + routes6.stdout, rules: rules.stdout + rules6.stdout };
}

describe('ipsec stop', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  const psk = 'stop test pre-shared key, never printed 9xQ';

  beforeAll(async () => {
    topo = await createTopology();
    // Someone else's IPsec state on the left host (another daemon, or an admin
    // with `ip xfrm`): nodeswan must leave it alone.
    await run(['ip', '-n', topo.left.ns, '-batch', '-'], {
      input: [
        'xfrm state add src 192.0.2.1 dst 192.0.2.99 proto esp spi 0x00001234 reqid 7 mode transport aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128',
        'xfrm policy add src 192.0.2.1/32 dst 192.0.2.99/32 dir out tmpl src 192.0.2.1 dst 192.0.2.99 proto esp reqid 7 mode transport',
      ].join('\n') + '\n',
    });
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
      return `conn %default
    authby=secret
    auto=add

conn host
    left=${l.outer4}
    right=${r.outer4}
    type=transport

conn sites
    left=${l.outer6}
    leftsubnet=${l.insideNet4}
    right=${r.outer6}
    rightsubnet=${r.insideNet4}
`;
    };
    const secrets = `${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"\n${topo.left.outer6} ${topo.right.outer6} : PSK "${psk}"\n`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'stop-left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'stop-right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  it('removes every SA, policy and route of ours and nothing else; the peer removes its side', async () => {
    // The kernel as the daemon found it (the daemon is running, no SA yet).
    const before = await kernelTables(topo.left.ns);
    expect(before.states).toContain('spi 0x00001234');
    await left.up('host');
    await left.up('sites'); // IPv4 subnets over IPv6 outer addresses, with a route
    assertOnlyEsp(await pingBothWays({ ns: topo.left.ns, dst: topo.right.inside4, src: topo.left.inside4 }, { ns: topo.right.ns, dst: topo.left.inside4, src: topo.right.inside4 }));
    const during = await kernelTables(topo.left.ns);
    expect((await xfrmStates(topo.left.ns)).length).toBe(5); // 2 x 2 of ours + the foreign one
    expect(during.policies).not.toBe(before.policies);

    const stopped = await left.ipsec(['stop']);
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^Stopping nodeswan IPsec daemon \(pid \d+\)$/m);
    expect(await kernelTables(topo.left.ns)).toEqual(before);
    const status = await left.ipsec(['status']);
    expect(status.exitCode).toBe(3); // not running

    // The right daemon processed our Deletes: nothing left in its kernel.
    expect((await right.status()).ikeSas).toEqual([]);
    expect(await xfrmText(topo.right.ns)).toEqual({ states: '', policies: '' });
    for (const text of [stopped.stdout, stopped.stderr, left.log(), right.log()]) expect(text).not.toContain(psk);
  });
});

describe('failures explained in one line, on the CLI and in the log', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  const leftPsk = 'the left side believes in this key 4Fq1';
  const rightPsk = 'the right side typed this other key 8Zr3';

  beforeAll(async () => {
    topo = await createTopology();
    // left: an older proposal for 'proposals'; the two PSKs of 'wrongpsk' differ.
    const leftConf = `conn %default
    authby=secret
    type=transport
    auto=add

conn proposals
    left=${topo.left.outer4}
    right=${topo.right.outer4}
    ike=aes128-sha256-modp2048!
    esp=aes128-sha256!

conn wrongpsk
    left=${topo.left.outer6}
    right=${topo.right.outer6}
`;
    const rightConf = `conn %default
    authby=secret
    type=transport
    auto=add

conn proposals
    left=${topo.right.outer4}
    right=${topo.left.outer4}
    ike=aes256gcm16-prfsha384-ecp384!
    esp=aes256gcm16!

conn wrongpsk
    left=${topo.right.outer6}
    right=${topo.left.outer6}
`;
    const secrets = (key: string) => `${topo.left.outer4} ${topo.right.outer4} : PSK "a key both sides share 2Kd7"\n${topo.left.outer6} ${topo.right.outer6} : PSK "${key}"\n`;
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: leftConf, secrets: secrets(leftPsk) }, { name: 'fail-left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: rightConf, secrets: secrets(rightPsk) }, { name: 'fail-right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  /** `ipsec up` fails with exactly one line on stderr, found verbatim in the daemon's log. */
  async function failingUp(conn: string): Promise<string> {
    const result = await left.ipsec(['up', conn]);
    expect(result.exitCode, result.stdout + result.stderr).not.toBe(0);
    expect(result.stdout).not.toContain('established successfully');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(left.log()).toContain(lines[0]!);
    return lines[0]!;
  }

  it('mismatched ike=: both proposals named, on the CLI and in both logs', async () => {
    const line = await failingUp('proposals');
    expect(line).toMatch(
      /^peer 192\.0\.2\.2 rejected every IKE proposal of conn 'proposals' \(NO_PROPOSAL_CHOSEN\): we offered AES_CBC_128\/HMAC_SHA2_256_128\/PRF_HMAC_SHA2_256\/MODP_2048\b/,
    );
    expect(right.log()).toMatch(
      /no acceptable IKE proposal: peer offered AES_CBC_128\/HMAC_SHA2_256_128\/PRF_HMAC_SHA2_256\/MODP_2048, conn 'proposals' accepts AES_GCM_16_256\/PRF_HMAC_SHA2_384\/ECP_384/,
    );
    expect((await left.status()).ikeSas).toEqual([]);
  });

  it('wrong PSK: AUTHENTICATION_FAILED, which side refused, the conn and IDs; never the key', async () => {
    const line = await failingUp('wrongpsk');
    expect(line).toMatch(/^AUTHENTICATION_FAILED: peer 2001:db8::2 rejected our PSK authentication as '2001:db8::1' for conn 'wrongpsk'/);
    expect(right.log()).toMatch(
      /AUTHENTICATION_FAILED: peer '2001:db8::1' \(2001:db8::1\) sent a pre-shared key AUTH that does not match ours for conn 'wrongpsk'/,
    );
    expect((await left.status()).ikeSas).toEqual([]);
    expect(await xfrmText(topo.left.ns)).toEqual({ states: '', policies: '' });
    for (const text of [line, left.log(), right.log()]) {
      expect(text).not.toContain(leftPsk);
      expect(text).not.toContain(rightPsk);
    }
  });
});
