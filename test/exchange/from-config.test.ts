// The daemon's path: ipsec.conf and ipsec.secrets text -> config model ->
// IkeEngine.load -> negotiation, for the configurations the kernel lab
// runs (host-to-host transport with PSK, IPv6, suites from the issue).

import { describe, expect, it } from 'vitest';
import { loadConfig, loadSecrets } from '../../src/config/load.js';
import { Exchange } from './harness.js';

function conf(text: string) {
  const r = loadConfig('/etc/ipsec.conf', { text });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.model!;
}

function secrets(text: string) {
  const r = loadSecrets('/etc/ipsec.secrets', { text });
  expect(r.errors).toBe(0);
  return r.model!;
}

const SECRETS = ': PSK "a shared secret for the lab"\n';

describe('ipsec.conf to an established SA', () => {
  for (const [suite, ike, esp] of [
    ['aes256gcm16-prfsha384-ecp384', 'aes256gcm16-prfsha384-ecp384!', 'aes256gcm16!'],
    ['aes128-sha256-modp2048', 'aes128-sha256-modp2048!', 'aes128-sha256!'],
    ['chacha20poly1305-prfsha256-curve25519', 'chacha20poly1305-prfsha256-curve25519!', 'chacha20poly1305!'],
  ] as const) {
    it(`host-to-host transport, PSK, ${suite}`, async () => {
      const x = new Exchange();
      const moon = await x.side('moon', '192.0.2.1');
      const sun = await x.side('sun', '192.0.2.2');
      const base = (left: string, right: string) => `conn host\n  left=${left}\n  right=${right}\n  authby=secret\n  type=transport\n  ike=${ike}\n  esp=${esp}\n  auto=add\n`;
      await moon.engine.load(conf(base('192.0.2.1', '192.0.2.2')), secrets(SECRETS));
      await sun.engine.load(conf(base('192.0.2.2', '192.0.2.1')), secrets(SECRETS));
      const up = moon.engine.up('host');
      await x.settle();
      await x.run();
      const result = await up;
      expect(result.error).toBeUndefined();
      expect(result.ikeSa?.localId).toBe('192.0.2.1');
      expect(result.ikeSa?.children[0]?.mode).toBe('transport');
      const sas = await sun.kernel.listSas();
      expect(sas).toHaveLength(2);
    });
  }

  it('IPv6 site-to-site tunnel with subnets and explicit IDs', async () => {
    const x = new Exchange();
    const moon = await x.side('moon', '2001:db8::1');
    const sun = await x.side('sun', '2001:db8::2');
    const side = (left: string, right: string, ls: string, rs: string, lid: string, rid: string) =>
      `conn net\n  left=${left}\n  right=${right}\n  leftsubnet=${ls}\n  rightsubnet=${rs}\n  leftid=${lid}\n  rightid=${rid}\n  authby=psk\n  auto=add\n`;
    const psk = '@moon.example @sun.example : PSK "v6 secret"\n';
    await moon.engine.load(conf(side('2001:db8::1', '2001:db8::2', '2001:db8:1::/48', '2001:db8:2::/48', '@moon.example', '@sun.example')), secrets(psk));
    await sun.engine.load(conf(side('2001:db8::2', '2001:db8::1', '2001:db8:2::/48', '2001:db8:1::/48', '@sun.example', '@moon.example')), secrets(psk));
    const up = moon.engine.up('net');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(result.ikeSa?.children[0]).toMatchObject({ localTs: ['2001:db8:1::/48'], remoteTs: ['2001:db8:2::/48'], mode: 'tunnel' });
    const policies = (await sun.kernel.listPolicies()).map((p) => `${p.dir} ${p.selector.src} -> ${p.selector.dst}`).sort();
    expect(policies).toEqual(['fwd 2001:db8:1::/48 -> 2001:db8:2::/48', 'in 2001:db8:1::/48 -> 2001:db8:2::/48', 'out 2001:db8:2::/48 -> 2001:db8:1::/48']);
  });

  it('a mismatched ike= fails with the one-line explanation from the config', async () => {
    const x = new Exchange();
    const moon = await x.side('moon', '192.0.2.1');
    const sun = await x.side('sun', '192.0.2.2');
    await moon.engine.load(conf('conn office\n  left=192.0.2.1\n  right=192.0.2.2\n  authby=secret\n  ike=aes128-sha1-modp2048!\n'), secrets(SECRETS));
    await sun.engine.load(conf('conn office\n  left=192.0.2.2\n  right=%any\n  authby=secret\n  ike=aes256gcm16-prfsha256-curve25519!\n  auto=add\n'), secrets(SECRETS));
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).error).toMatch(/^peer 192.0.2.2 rejected every IKE proposal of conn 'office' \(NO_PROPOSAL_CHOSEN\): we offered AES_CBC_128\/HMAC_SHA1_96\/PRF_HMAC_SHA1\/MODP_2048/);
    expect(sun.log.join('\n')).toContain(
      "peer offered AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048, conn 'office' accepts AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519",
    );
  });
});
