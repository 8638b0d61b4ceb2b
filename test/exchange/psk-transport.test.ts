import { describe, expect, it } from 'vitest';
import { parseIdentity } from '../../src/ike/identity.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { conn, ESP_GCM, IKE_GCM_X25519 } from '../ike/fixtures.js';
import { Exchange, pskSecrets } from './harness.js';

describe('PSK host-to-host transport mode', () => {
  it('establishes IKE and CHILD SAs message by message and installs both kernels', async () => {
    const x = new Exchange();
    const moon = await x.side('moon', '192.0.2.1');
    const sun = await x.side('sun', '192.0.2.2');
    const secrets = pskSecrets('correct horse battery staple', '@moon.example', '@sun.example');
    await moon.engine.loadConns(
      [conn({ name: 'host', mode: 'transport', localId: parseIdentity('@moon.example'), remoteId: parseIdentity('@sun.example') })],
      secrets,
    );
    await sun.engine.loadConns(
      [
        conn({
          name: 'host',
          mode: 'transport',
          localAddress: '192.0.2.2',
          remoteAddress: '192.0.2.1',
          localId: parseIdentity('@sun.example'),
          remoteId: parseIdentity('@moon.example'),
        }),
      ],
      secrets,
    );

    // Record the keys each side hands to its kernel, by SPI.
    const keys = { moon: new Map<number, Uint8Array>(), sun: new Map<number, Uint8Array>() };
    for (const [side, who] of [[moon, 'moon'], [sun, 'sun']] as const) {
      for (const method of ['addSa', 'updateSa'] as const) {
        const original = side.kernel[method].bind(side.kernel);
        side.kernel[method] = async (spec) => {
          keys[who].set(spec.spi, spec.algorithms.aead!.key);
          return original(spec);
        };
      }
    }
    const up = moon.engine.up('host');
    await x.settle();
    expect(x.describe()).toEqual(['IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2']);
    expect(await x.deliver()).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2');
    expect(await x.deliver()).toBe('IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1');
    expect(await x.deliver()).toBe('IKE_AUTH request 192.0.2.1 -> 192.0.2.2');
    // The responder installed its CHILD SA before sending the response.
    expect((await sun.kernel.listSas()).map((s) => s.larval)).toEqual([false, false]);
    expect(await x.deliver()).toBe('IKE_AUTH response 192.0.2.2 -> 192.0.2.1');
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.ikeSa).toMatchObject({
      name: 'host',
      state: 'ESTABLISHED',
      initiator: true,
      localId: 'moon.example',
      remoteId: 'sun.example',
      proposal: 'AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519',
      natLocal: false,
      natRemote: false,
    });
    const child = result.ikeSa!.children[0]!;
    expect(child).toMatchObject({ encap: false, mode: 'transport', protocol: 'esp', localTs: ['192.0.2.1/32'], remoteTs: ['192.0.2.2/32'], proposal: 'AES_GCM_16_256/NO_ESN' });

    // Both kernels: the same SPIs, crossed, with the same keys.
    const moonSas = await moon.kernel.listSas();
    const sunSas = await sun.kernel.listSas();
    expect(moonSas).toHaveLength(2);
    for (const sa of moonSas) {
      const twin = sunSas.find((s) => s.spi === sa.spi)!;
      expect(twin).toMatchObject({ src: sa.src, dst: sa.dst, mode: 'transport', proto: 'esp' });
      expect(twin.algorithms).toEqual(sa.algorithms);
      expect(sa.algorithms.aead?.name).toBe('rfc4106(gcm(aes))');
    }
    // The same SPI carries the same key on both sides, and the two directions differ.
    expect(keys.moon.size).toBe(2);
    for (const [spi, key] of keys.moon) expect(Buffer.from(keys.sun.get(spi)!).equals(Buffer.from(key))).toBe(true);
    const [k1, k2] = [...keys.moon.values()];
    expect(Buffer.from(k1!).equals(Buffer.from(k2!))).toBe(false);
    const moonPolicies = await moon.kernel.listPolicies();
    expect(moonPolicies.map((p) => p.dir).sort()).toEqual(['in', 'out']);
    const sunStatus = sun.engine.status('host').ikeSas[0]!;
    expect(sunStatus.children[0]!.spiIn).toBe(child.spiOut);
    expect(sunStatus.children[0]!.spiOut).toBe(child.spiIn);
    expect(x.queue).toHaveLength(0);

    // Delete: the INFORMATIONAL exchange takes both sides' kernel state away.
    const down = moon.engine.down('host');
    await x.settle();
    expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2', 'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1']);
    await down;
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listPolicies()).toEqual([]);
    expect(moon.engine.sas()).toHaveLength(0);
    expect(sun.engine.sas()).toHaveLength(0);
  });
});
