import { describe, expect, it } from 'vitest';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { conn } from '../ike/fixtures.js';
import { Exchange, pskSecrets } from './harness.js';
import { PSK } from './setups.js';

describe('NAT detection (RFC 7296 §2.23)', () => {
  it('detects the NAT on both sides, floats to 4500 and installs UDP-encapsulated ESP', async () => {
    const x = new Exchange();
    x.nat = { inside: '100.64.0.2', outside: '203.0.113.9' };
    const moon = await x.side('moon', '100.64.0.2');
    const sun = await x.side('sun', '192.0.2.2');
    const secrets = pskSecrets(PSK, '@moon.example', '@sun.example');
    await moon.engine.loadConns(
      [
        conn({
          name: 'nat',
          localAddress: '100.64.0.2',
          remoteAddress: '192.0.2.2',
          localId: parseIdentity('@moon.example'),
          remoteId: parseIdentity('@sun.example'),
          localTs: [tsFromCidr('100.64.0.0/24')],
          remoteTs: [tsFromCidr('198.51.100.0/24')],
        }),
      ],
      secrets,
    );
    await sun.engine.loadConns(
      [
        conn({
          name: 'nat',
          localAddress: '192.0.2.2',
          remoteAddress: '%any',
          localId: parseIdentity('@sun.example'),
          remoteId: parseIdentity('@moon.example'),
          localTs: [tsFromCidr('198.51.100.0/24')],
          remoteTs: [tsFromCidr('100.64.0.0/10')],
        }),
      ],
      secrets,
    );
    const up = moon.engine.up('nat');
    await x.settle();
    // As delivered, i.e. after the NAT rewrote the inside address.
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 203.0.113.9[10500] -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 100.64.0.2',
      'IKE_AUTH request 203.0.113.9[14500] -> 192.0.2.2[4500]',
      'IKE_AUTH response 192.0.2.2[4500] -> 100.64.0.2[4500]',
    ]);
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(result.ikeSa).toMatchObject({ natLocal: true, natRemote: false, localAddress: '100.64.0.2[4500]', remoteAddress: '192.0.2.2[4500]' });
    expect(result.ikeSa?.children[0]?.encap).toBe(true);
    const sunSa = sun.engine.status().ikeSas[0]!;
    expect(sunSa).toMatchObject({ natLocal: false, natRemote: true, remoteAddress: '203.0.113.9[14500]' });
    const sunSas = await sun.kernel.listSas();
    expect(sunSas.map((s) => s.encap)).toEqual([
      { srcPort: 14500, dstPort: 4500 },
      { srcPort: 4500, dstPort: 14500 },
    ]);
    const moonOut = (await moon.kernel.listSas()).find((s) => s.src === '100.64.0.2')!;
    expect(moonOut.encap).toEqual({ srcPort: 4500, dstPort: 4500 });
  });
});
