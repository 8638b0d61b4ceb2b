// leftfirewall: the rules as text (pure), then applied with the real nft
// in a network namespace made here (needs root and nftables), so the
// host's own ruleset is never touched.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/updown/firewall-rules.js';
import { NftFirewall, parseRuleHandles, spawnNft } from '../../src/updown/nft-firewall.js';
import { updownInvocations } from '../../src/updown/updown-env.js';
import type { UpdownEvent, UpdownSelector } from '../../src/updown/updown-event.js';

function ts(start: string, end = start, protocol = 0, startPort = 0, endPort = 65535): UpdownSelector {
  return { protocol, startPort, endPort, startAddress: start, endAddress: end };
}

function event(overrides: Partial<UpdownEvent> = {}): UpdownEvent {
  return {
    phase: 'up',
    conn: 'office',
    firewall: true,
    hostAccess: false,
    reqid: 7,
    protocol: 'esp',
    mode: 'tunnel',
    uniqueId: 1,
    me: '192.0.2.1',
    peer: '192.0.2.2',
    myId: '192.0.2.1',
    peerId: '192.0.2.2',
    myTs: [ts('198.51.100.0', '198.51.100.255')],
    peerTs: [ts('203.0.113.0', '203.0.113.255')],
    ...overrides,
  };
}

const rulesOf = (e: UpdownEvent) => updownInvocations(e).flatMap((inv) => firewallRules(e, inv)).map((r) => `${r.chain}: ${r.body}`);

describe('firewall rules', () => {
  it('admits the two client subnets through forward, bound to the CHILD SA by reqid', () => {
    expect(rulesOf(event())).toEqual([
      'forward: ip saddr 203.0.113.0/24 ip daddr 198.51.100.0/24 ipsec in reqid 7 counter accept comment "nodeswan office reqid 7"',
      'forward: ip saddr 198.51.100.0/24 ip daddr 203.0.113.0/24 ipsec out reqid 7 counter accept comment "nodeswan office reqid 7"',
    ]);
  });

  it('admits the gateway itself for host-to-host, and with hostaccess', () => {
    const host = event({ mode: 'transport', myTs: [ts('192.0.2.1', '192.0.2.1', 6, 22, 22)], peerTs: [ts('192.0.2.2', '192.0.2.2', 6)] });
    expect(rulesOf(host)).toEqual([
      'input: ip saddr 192.0.2.2/32 ip daddr 192.0.2.1/32 meta l4proto 6 th dport 22 ipsec in reqid 7 counter accept comment "nodeswan office reqid 7"',
      'output: ip saddr 192.0.2.1/32 ip daddr 192.0.2.2/32 meta l4proto 6 th sport 22 ipsec out reqid 7 counter accept comment "nodeswan office reqid 7"',
    ]);
    expect(rulesOf(event({ hostAccess: true })).slice(2)).toEqual([
      'input: ip saddr 203.0.113.0/24 ip daddr 198.51.100.0/24 ipsec in reqid 7 counter accept comment "nodeswan office reqid 7"',
      'output: ip saddr 198.51.100.0/24 ip daddr 203.0.113.0/24 ipsec out reqid 7 counter accept comment "nodeswan office reqid 7"',
    ]);
  });

  it('writes IPv6 and ranges that are no prefix', () => {
    const v6 = event({ me: '2001:db8::1', myTs: [ts('2001:db8:1::', '2001:db8:1::ffff')], peerTs: [ts('2001:db8:2::5', '2001:db8:2::9')] });
    expect(rulesOf(v6)[0]).toBe('forward: ip6 saddr 2001:db8:2::5-2001:db8:2::9 ip6 daddr 2001:db8:1::/112 ipsec in reqid 7 counter accept comment "nodeswan office reqid 7"');
  });

  it('keeps conn names that nft would misread out of the comment', () => {
    expect(rulesOf(event({ conn: 'a"b; flush ruleset' }))[0]).toContain('comment "nodeswan a_b__flush_ruleset reqid 7"');
  });

  it('reads the handles nft echoes for added rules only', () => {
    const echo = [
      'add table inet nodeswan # handle 1',
      'add chain inet nodeswan forward { type filter hook forward priority filter; policy accept; } # handle 2',
      'add rule inet nodeswan forward ip saddr 1.2.3.4 accept # handle 5',
      'add rule inet nodeswan forward handle 5 ip saddr 1.2.3.5 accept # handle 6',
    ].join('\n');
    expect(parseRuleHandles(echo)).toEqual([5, 6]);
  });
});

describe('NftFirewall with the real nft', () => {
  const ns = `nodeswan-fw-${process.pid}`;
  const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', stdio: 'pipe' });
  const firewall = new NftFirewall(spawnNft(['ip', 'netns', 'exec', ns, 'nft']));

  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'pipe' });
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
  });

  it('adds the rules in table inet nodeswan, removes exactly them on down, and the table at reset', async () => {
    const office = event();
    const lab = event({ conn: 'lab', reqid: 8, myTs: [ts('198.51.100.0', '198.51.100.127')], peerTs: [ts('192.0.2.128', '192.0.2.255')] });
    const add = async (e: UpdownEvent) => {
      for (const inv of updownInvocations(e)) await firewall.add(`${e.conn}|${inv.env.PLUTO_MY_CLIENT}`, firewallRules(e, inv));
    };
    await add(office);
    await add(lab);
    let table = nft('list', 'table', 'inet', 'nodeswan');
    expect(table).toContain('ip saddr 203.0.113.0/24 ip daddr 198.51.100.0/24 ipsec in reqid 7 counter packets 0 bytes 0 accept comment "nodeswan office reqid 7"');
    expect(table).toContain('ip saddr 198.51.100.0/25 ip daddr 192.0.2.128/25 ipsec out reqid 8 counter packets 0 bytes 0 accept comment "nodeswan lab reqid 8"');
    expect(table).toMatch(/chain forward \{\s*type filter hook forward priority filter; policy accept;/);

    await firewall.remove('office|198.51.100.0/24');
    table = nft('list', 'table', 'inet', 'nodeswan');
    expect(table).not.toContain('reqid 7');
    expect(table).toContain('nodeswan lab reqid 8');

    // Someone flushed our chain meanwhile: removing rules already gone is no error.
    nft('flush', 'chain', 'inet', 'nodeswan', 'forward');
    await firewall.remove('lab|198.51.100.0/25');
    expect(firewall.keys()).toEqual([]);

    await add(office);
    await firewall.reset();
    expect(() => nft('list', 'table', 'inet', 'nodeswan')).toThrow();
    // Reset without a table is quiet.
    await firewall.reset();
  });

  it('reports nft refusing a rule with nft\'s own message', async () => {
    await expect(firewall.add('bad', [{ chain: 'forward', body: 'ip saddr not-an-address accept' }])).rejects.toThrow(/not-an-address|Error/);
  });
});
