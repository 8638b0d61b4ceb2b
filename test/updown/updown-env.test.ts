import { describe, expect, it } from 'vitest';
import { coveringPrefix, updownInvocations } from '../../src/updown/updown-env.js';
import type { UpdownEvent, UpdownSelector } from '../../src/updown/updown-event.js';

function ts(start: string, end = start, protocol = 0, startPort = 0, endPort = 65535): UpdownSelector {
  return { protocol, startPort, endPort, startAddress: start, endAddress: end };
}

function tunnel(overrides: Partial<UpdownEvent> = {}): UpdownEvent {
  return {
    phase: 'up',
    conn: 'office',
    script: '/etc/ipsec.d/updown.sh',
    firewall: false,
    hostAccess: false,
    reqid: 7,
    protocol: 'esp',
    mode: 'tunnel',
    uniqueId: 3,
    me: '192.0.2.1',
    peer: '192.0.2.2',
    myId: 'moon.example',
    peerId: 'sun.example',
    myTs: [ts('198.51.100.0', '198.51.100.255')],
    peerTs: [ts('203.0.113.0', '203.0.113.127')],
    ...overrides,
  };
}

describe('updown environment', () => {
  it('gives a site-to-site tunnel the _updown variables with client subnets', () => {
    const [inv, ...rest] = updownInvocations(tunnel(), { path: '/usr/bin:/bin', interfaceName: 'eth0' });
    expect(rest).toEqual([]);
    expect(inv!.env).toEqual({
      PATH: '/usr/bin:/bin',
      PLUTO_VERSION: '1.1',
      PLUTO_VERB: 'up-client',
      PLUTO_CONNECTION: 'office',
      PLUTO_INTERFACE: 'eth0',
      PLUTO_REQID: '7',
      PLUTO_PROTO: 'esp',
      PLUTO_UNIQUEID: '3',
      PLUTO_ME: '192.0.2.1',
      PLUTO_MY_ID: 'moon.example',
      PLUTO_MY_CLIENT: '198.51.100.0/24',
      PLUTO_MY_CLIENT_NET: '198.51.100.0',
      PLUTO_MY_CLIENT_MASK: '255.255.255.0',
      PLUTO_MY_PORT: '0',
      PLUTO_MY_PROTOCOL: '0',
      PLUTO_PEER: '192.0.2.2',
      PLUTO_PEER_ID: 'sun.example',
      PLUTO_PEER_CLIENT: '203.0.113.0/25',
      PLUTO_PEER_CLIENT_NET: '203.0.113.0',
      PLUTO_PEER_CLIENT_MASK: '255.255.255.128',
      PLUTO_PEER_PORT: '0',
      PLUTO_PEER_PROTOCOL: '0',
    });
  });

  it('says host when our selector is our own address, and -v6 by the family', () => {
    const host = tunnel({ phase: 'down', mode: 'transport', myTs: [ts('192.0.2.1')], peerTs: [ts('192.0.2.2')] });
    expect(updownInvocations(host).map((i) => i.verb)).toEqual(['down-host']);
    expect(updownInvocations(host)[0]!.env.PLUTO_MY_CLIENT).toBe('192.0.2.1/32');
    const v6 = tunnel({ me: '2001:db8::1', peer: '2001:db8::2', myTs: [ts('2001:db8:1::', '2001:db8:1::ffff')], peerTs: [ts('2001:db8:2::', '2001:db8:2:0:ffff:ffff:ffff:ffff')] });
    const [inv] = updownInvocations(v6);
    expect(inv!.verb).toBe('up-client-v6');
    expect(inv!.env.PLUTO_MY_CLIENT).toBe('2001:db8:1::/112');
    expect(inv!.env.PLUTO_PEER_CLIENT).toBe('2001:db8:2::/64');
    expect(inv!.env.PLUTO_PEER_CLIENT_MASK).toBe('ffff:ffff:ffff:ffff::');
    const v6host = tunnel({ me: '2001:db8::1', peer: '2001:db8::2', myTs: [ts('2001:db8::1')], peerTs: [ts('2001:db8::2')] });
    expect(updownInvocations(v6host)[0]!.verb).toBe('up-host-v6');
  });

  it('runs once per selector pair of one family, as the policies are', () => {
    const event = tunnel({
      myTs: [ts('198.51.100.0', '198.51.100.255'), ts('2001:db8:1::', '2001:db8:1::ffff')],
      peerTs: [ts('203.0.113.0', '203.0.113.255'), ts('203.0.113.0', '203.0.113.0'), ts('2001:db8:2::', '2001:db8:2::ffff')],
    });
    expect(updownInvocations(event).map((i) => `${i.verb} ${i.env.PLUTO_MY_CLIENT} ${i.env.PLUTO_PEER_CLIENT}`)).toEqual([
      'up-client 198.51.100.0/24 203.0.113.0/24',
      'up-client 198.51.100.0/24 203.0.113.0/32',
      'up-client-v6 2001:db8:1::/112 2001:db8:2::/112',
    ]);
  });

  it('passes protocol and ports; ICMP type and code travel in the ports', () => {
    const ssh = tunnel({ myTs: [ts('192.0.2.1', '192.0.2.1', 6, 22, 22)], peerTs: [ts('192.0.2.2', '192.0.2.2', 6, 0, 65535)] });
    const env = updownInvocations(ssh)[0]!.env;
    expect([env.PLUTO_MY_PROTOCOL, env.PLUTO_MY_PORT, env.PLUTO_PEER_PROTOCOL, env.PLUTO_PEER_PORT]).toEqual(['6', '22', '6', '0']);
    // Echo request: type 8 code 0 as the 16-bit "port" 0x0800.
    const ping = tunnel({ myTs: [ts('192.0.2.1', '192.0.2.1', 1, 0x0800, 0x0800)], peerTs: [ts('192.0.2.2', '192.0.2.2', 1, 0, 0)] });
    const icmp = updownInvocations(ping)[0]!.env;
    expect([icmp.PLUTO_MY_PORT, icmp.PLUTO_PEER_PORT]).toEqual(['8', '0']);
  });

  it('adds the optional variables only when they apply', () => {
    const env = updownInvocations(
      tunnel({ udpEncap: 4500, hostAccess: true, markIn: { value: 42, mask: 0xffffffff }, markOut: { value: 0, mask: 0xffffffff }, xauthId: 'alice' }),
    )[0]!.env;
    expect(env.PLUTO_UDP_ENC).toBe('4500');
    expect(env.PLUTO_HOST_ACCESS).toBe('1');
    expect(env.PLUTO_MARK_IN).toBe('42/0xffffffff');
    expect(env.PLUTO_MARK_OUT).toBeUndefined();
    expect(env.PLUTO_XAUTH_ID).toBe('alice');
    const plain = updownInvocations(tunnel())[0]!.env;
    for (const name of ['PLUTO_UDP_ENC', 'PLUTO_HOST_ACCESS', 'PLUTO_MARK_IN', 'PLUTO_XAUTH_ID']) expect(plain[name]).toBeUndefined();
    expect(updownInvocations(tunnel({ phase: 'route', uniqueId: undefined }))[0]!.env.PLUTO_UNIQUEID).toBeUndefined();
    expect(updownInvocations(tunnel({ phase: 'route' }))[0]!.verb).toBe('route-client');
    expect(updownInvocations(tunnel({ phase: 'unroute', protocol: 'ah' }))[0]!.env).toMatchObject({ PLUTO_VERB: 'unroute-client', PLUTO_PROTO: 'ah' });
  });

  it('describes a range that is no prefix by the prefix that covers it', () => {
    expect(coveringPrefix(ts('192.0.2.10', '192.0.2.20'))).toMatchObject({ net: '192.0.2.0', bits: 27, mask: '255.255.255.224' });
    expect(coveringPrefix(ts('0.0.0.0', '255.255.255.255'))).toMatchObject({ net: '0.0.0.0', bits: 0, mask: '0.0.0.0' });
    expect(coveringPrefix(ts('::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toMatchObject({ net: '::', bits: 0 });
  });
});
