import { describe, expect, it } from 'vitest';
import { formatStatus, formatStatusAll } from '../../src/cli/status-text.js';
import type { StatusSnapshot } from '../../src/daemon/engine.js';

const now = new Date('2026-11-22T06:00:00.000Z');

const snapshot: StatusSnapshot = {
  daemon: { pid: 4242, startedAt: '2026-11-22T05:00:00.000Z', version: '0.1.0', listening: ['192.0.2.1[500]', '192.0.2.1[4500]'] },
  conns: [
    {
      name: 'office',
      auto: 'start',
      local: '192.0.2.1',
      remote: '203.0.113.9',
      localSubnets: ['198.51.100.0/24'],
      remoteSubnets: ['203.0.113.0/24', '2001:db8:1::/48'],
      mode: 'tunnel',
      auth: 'pubkey',
    },
    { name: 'rw', auto: 'add', local: '%any', remote: '%any', localSubnets: [], remoteSubnets: [], mode: 'transport', auth: 'psk' },
  ],
  ikeSas: [
    {
      name: 'office',
      uniqueId: 7,
      state: 'ESTABLISHED',
      initiator: false,
      localAddress: '192.0.2.1[4500]',
      remoteAddress: '203.0.113.9[4500]',
      localId: 'C=CH, O=Example, CN=moon',
      remoteId: 'sun.example',
      spiI: '1122334455667788',
      spiR: '99aabbccddeeff00',
      proposal: 'AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384',
      natLocal: true,
      natRemote: false,
      establishedAt: '2026-11-22T05:55:00.000Z',
      rekeyAt: '2026-11-22T08:30:00.000Z',
      children: [
        {
          name: 'office',
          reqid: 3,
          state: 'INSTALLED',
          mode: 'tunnel',
          protocol: 'esp',
          encap: true,
          spiIn: 'cafe0001',
          spiOut: 'cafe0002',
          proposal: 'AES_GCM_16_256/NO_EXT_SEQ',
          localTs: ['198.51.100.0/24'],
          remoteTs: ['203.0.113.0/24', '2001:db8:1::/48'],
          bytesIn: 123456,
          bytesOut: 654321,
          packetsIn: 100,
          packetsOut: 200,
          installedAt: '2026-11-22T05:55:30.000Z',
          rekeyAt: '2026-11-22T06:45:00.000Z',
          expiresAt: '2026-11-22T06:55:30.000Z',
        },
      ],
    },
    {
      name: 'rw',
      uniqueId: 8,
      state: 'CONNECTING',
      initiator: true,
      localAddress: '192.0.2.1[500]',
      remoteAddress: '198.51.100.77[500]',
      localId: '192.0.2.1',
      remoteId: '%any',
      spiI: 'aaaaaaaaaaaaaaaa',
      spiR: '0000000000000000',
      proposal: '',
      natLocal: false,
      natRemote: false,
      children: [],
    },
  ],
  drops: { 'unknown-spi': 3, malformed: 1 },
};

describe('status text', () => {
  it('ipsec status: SAs with state, addresses, IDs, SPIs, proposal, NAT, children', () => {
    expect(formatStatus(snapshot, now)).toBe(
      [
        'Connections: office, rw',
        'Security Associations (1 up, 1 connecting):',
        '     office[7]: ESTABLISHED 5 minutes ago, 192.0.2.1[4500][C=CH, O=Example, CN=moon]...203.0.113.9[4500][sun.example], local host is behind NAT',
        '     office[7]: IKEv2 SPIs: 1122334455667788_i 99aabbccddeeff00_r*, rekeying in 2 hours',
        '     office[7]: IKE proposal: AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384',
        '     office{3}:  INSTALLED, TUNNEL, reqid 3, ESP in UDP SPIs: cafe0001_i cafe0002_o',
        '     office{3}:  AES_GCM_16_256/NO_EXT_SEQ, 123456 bytes_i (100 pkts), 654321 bytes_o (200 pkts), rekeying in 45 minutes',
        '     office{3}:   198.51.100.0/24 === 203.0.113.0/24 2001:db8:1::/48',
        '         rw[8]: CONNECTING, 192.0.2.1[500][192.0.2.1]...198.51.100.77[500][%any]',
        '         rw[8]: IKEv2 SPIs: aaaaaaaaaaaaaaaa_i* 0000000000000000_r',
        '',
      ].join('\n'),
    );
  });

  it('ipsec statusall adds daemon, sockets, connections and drops', () => {
    const text = formatStatusAll(snapshot, now);
    expect(text).toContain('Status of nodeswan IKE daemon (0.1.0, pid 4242):\n  uptime: 60 minutes, since 2026-11-22T05:00:00.000Z\n');
    expect(text).toContain('Listening addresses:\n  192.0.2.1[500]\n  192.0.2.1[4500]\n');
    expect(text).toContain('        office:  192.0.2.1...203.0.113.9  IKEv2, auto=start, pubkey authentication\n');
    expect(text).toContain('        office:   child: 198.51.100.0/24 === 203.0.113.0/24 2001:db8:1::/48 TUNNEL\n');
    expect(text).toContain('            rw:   child: dynamic === dynamic TRANSPORT\n');
    expect(text).toContain('     office{3}:  installed 4 minutes ago, expires in 55 minutes\n');
    expect(text).toMatch(/Dropped datagrams \(4\):\n {2}malformed: 1\n {2}unknown-spi: 3\n$/);
  });

  it('lists routed conns (trap policies installed) with their reqid, hold marked', () => {
    const routed: StatusSnapshot = {
      ...snapshot,
      ikeSas: [],
      conns: [
        { ...snapshot.conns[0]!, auto: 'route', trap: { reason: 'route', reqid: 1314062337 } },
        { ...snapshot.conns[1]!, local: '192.0.2.1', remote: '192.0.2.2', trap: { reason: 'hold', reqid: 1314062338 } },
      ],
    };
    const text = formatStatus(routed, now);
    expect(text).toBe(
      [
        'Connections: office, rw',
        'Routed Connections:',
        '  office{1314062337}:  ROUTED, TUNNEL, reqid 1314062337',
        '  office{1314062337}:   198.51.100.0/24 === 203.0.113.0/24 2001:db8:1::/48',
        '      rw{1314062338}:  ROUTED, TRANSPORT, reqid 1314062338, hold',
        '      rw{1314062338}:   192.0.2.1 === 192.0.2.2',
        'Security Associations (0 up, 0 connecting):',
        '  none',
        '',
      ].join('\n'),
    );
    expect(formatStatusAll(routed, now)).toContain('Routed Connections:\n  office{1314062337}:  ROUTED, TUNNEL');
    expect(formatStatus(snapshot, now)).not.toContain('Routed Connections');
  });

  it('says none when there is nothing', () => {
    const empty: StatusSnapshot = { ...snapshot, conns: [], ikeSas: [], drops: {}, daemon: { ...snapshot.daemon, listening: [] } };
    expect(formatStatus(empty, now)).toBe('Connections: none\nSecurity Associations (0 up, 0 connecting):\n  none\n');
    expect(formatStatusAll(empty, now)).toMatch(/Listening addresses:\n {2}none\nConnections:\n {2}none\n.*\n {2}none\nDropped datagrams \(0\):\n {2}none\n$/);
  });
});
