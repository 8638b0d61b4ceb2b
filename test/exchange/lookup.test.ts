import { describe, expect, it } from 'vitest';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { conn } from '../ike/fixtures.js';
import { Exchange, pskSecrets } from './harness.js';
import { PSK } from './setups.js';

describe('responder conn lookup', () => {
  it('switches from the address match to the conn naming the peer ID (%any peer)', async () => {
    const x = new Exchange();
    const carol = await x.side('carol', '192.0.2.7');
    const sun = await x.side('sun', '192.0.2.2');
    await carol.engine.loadConns(
      [
        conn({
          name: 'home',
          localAddress: '192.0.2.7',
          remoteAddress: '192.0.2.2',
          localId: parseIdentity('carol@example.org'),
          remoteId: parseIdentity('@sun.example'),
          remoteTs: [tsFromCidr('203.0.113.0/24')],
        }),
      ],
      pskSecrets(PSK, 'carol@example.org', '@sun.example'),
    );
    await sun.engine.loadConns(
      [
        conn({ name: 'dave', localAddress: '192.0.2.2', remoteAddress: '192.0.2.7', localId: parseIdentity('@sun.example'), remoteId: parseIdentity('@dave.example') }),
        conn({
          name: 'roadwarriors',
          localAddress: '%any',
          remoteAddress: '%any',
          localId: parseIdentity('@sun.example'),
          remoteId: parseIdentity('%any'),
          localTs: [tsFromCidr('203.0.113.0/24')],
        }),
      ],
      pskSecrets(PSK, '@sun.example', '%any'),
    );
    const up = carol.engine.up('home');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.error).toBeUndefined();
    const sunSa = sun.engine.status().ikeSas[0]!;
    expect(sunSa).toMatchObject({ name: 'roadwarriors', remoteId: 'carol@example.org', state: 'ESTABLISHED', initiator: false });
    expect(sunSa.children[0]).toMatchObject({ localTs: ['203.0.113.0/24'], remoteTs: ['192.0.2.7/32'] });
  });
});

describe('cheap checks first', () => {
  it('counts malformed datagrams and unknown SPIs without creating state', async () => {
    const x = new Exchange();
    const sun = await x.side('sun', '192.0.2.2');
    await sun.engine.loadConns([], { entries: [] });
    const from = { address: '192.0.2.66', port: 500 };
    const to = { address: '192.0.2.2', port: 500 };
    sun.transport.deliver({ local: to, remote: from, bytes: Buffer.from('not ike at all') });
    const unknown = Buffer.alloc(28);
    unknown.fill(7, 0, 16);
    unknown[17] = 0x20; // version 2.0
    unknown[18] = 37; // INFORMATIONAL
    unknown[19] = 0x08; // from the original initiator
    unknown.writeUInt32BE(28, 24);
    sun.transport.deliver({ local: to, remote: from, bytes: unknown });
    await x.settle();
    expect(sun.engine.status().drops).toMatchObject({ 'malformed-header': 1, 'unknown-spi': 1 });
    expect(sun.engine.sas()).toHaveLength(0);
    expect(x.queue).toHaveLength(0);
  });
});
