import { describe, expect, it } from 'vitest';
import { Exchange } from './harness.js';
import { natPair } from './setups.js';

describe('NAT detection (RFC 7296 §2.23)', () => {
  it('detects the NAT on both sides, floats to 4500 and installs UDP-encapsulated ESP', async () => {
    const x = new Exchange();
    x.nat = { inside: '100.64.0.2', outside: '203.0.113.9' };
    const { moon, sun } = await natPair(x);
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
