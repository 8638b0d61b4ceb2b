import { describe, expect, it } from 'vitest';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { ESP_CBC, IKE_CBC_MODP2048 } from '../ike/fixtures.js';
import { pair } from './setups.js';

describe('site-to-site tunnel with subnets', () => {
  it('narrows the selectors, installs in/fwd/out policies on both gateways', async () => {
    const { x, moon, sun } = await pair(
      {
        ikeProposals: [IKE_CBC_MODP2048],
        childProposals: [ESP_CBC],
        localTs: [tsFromCidr('198.51.100.0/24')],
        // moon asks for more than sun will give: sun narrows it.
        remoteTs: [tsFromCidr('203.0.113.0/24')],
      },
      {
        ikeProposals: [IKE_CBC_MODP2048],
        childProposals: [ESP_CBC],
        localTs: [tsFromCidr('203.0.113.0/25')],
        remoteTs: [tsFromCidr('198.51.100.0/24')],
      },
    );
    const up = moon.engine.up('office');
    await x.settle();
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_AUTH request 192.0.2.1 -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 192.0.2.1',
    ]);
    const result = await up;
    expect(result.ok).toBe(true);
    expect(result.ikeSa?.proposal).toBe('AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048');
    expect(result.ikeSa?.children[0]).toMatchObject({
      mode: 'tunnel',
      localTs: ['198.51.100.0/24'],
      remoteTs: ['203.0.113.0/25'],
      proposal: 'AES_CBC_128/HMAC_SHA2_256_128/NO_ESN',
    });

    const policies = await moon.kernel.listPolicies();
    const summary = policies.map((p) => `${p.dir} ${p.selector.src} -> ${p.selector.dst} via ${p.templates[0]?.src} -> ${p.templates[0]?.dst}`).sort();
    expect(summary).toEqual([
      'fwd 203.0.113.0/25 -> 198.51.100.0/24 via 192.0.2.2 -> 192.0.2.1',
      'in 203.0.113.0/25 -> 198.51.100.0/24 via 192.0.2.2 -> 192.0.2.1',
      'out 198.51.100.0/24 -> 203.0.113.0/25 via 192.0.2.1 -> 192.0.2.2',
    ]);
    const sunPolicies = (await sun.kernel.listPolicies()).map((p) => `${p.dir} ${p.selector.src} -> ${p.selector.dst}`).sort();
    expect(sunPolicies).toEqual(['fwd 198.51.100.0/24 -> 203.0.113.0/25', 'in 198.51.100.0/24 -> 203.0.113.0/25', 'out 203.0.113.0/25 -> 198.51.100.0/24']);
    const sas = await moon.kernel.listSas();
    expect(sas.every((s) => s.mode === 'tunnel' && s.algorithms.crypt?.name === 'cbc(aes)' && s.algorithms.auth?.name === 'hmac(sha256)')).toBe(true);
    expect(sas.every((s) => s.reqid === policies[0]!.templates[0]!.reqid)).toBe(true);
  });

  it('refuses selectors that do not overlap, with both sides named', async () => {
    const { x, moon, sun } = await pair(
      { localTs: [tsFromCidr('198.51.100.0/24')], remoteTs: [tsFromCidr('203.0.113.0/24')] },
      { localTs: [tsFromCidr('192.0.2.128/25')], remoteTs: [tsFromCidr('198.51.100.0/24')] },
    );
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toBe(
      "peer 192.0.2.2 refused traffic selectors 198.51.100.0/24 === 203.0.113.0/24 of conn 'office' (TS_UNACCEPTABLE)",
    );
    expect(sun.log.join('\n')).toContain(
      "no acceptable traffic selectors (TS_UNACCEPTABLE): peer proposed 198.51.100.0/24 === 203.0.113.0/24, conn 'office' allows 198.51.100.0/24 === 192.0.2.128/25",
    );
    // The IKE SA stays up without a CHILD SA; nothing reached either kernel.
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
  });
});
