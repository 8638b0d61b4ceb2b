import { describe, expect, it } from 'vitest';
import { ENCR, INTEG, KE, PRF } from '../../src/wire/iana/transforms.js';
import { encr, IKE_GCM_X25519, IKE_LEGACY, integ, ke, prf, proposal } from '../ike/fixtures.js';

const IKE_CBC_SHA1 = proposal('ike', [encr(ENCR.AES_CBC, 128), integ(INTEG.HMAC_SHA1_96), prf(PRF.HMAC_SHA1), ke(KE.MODP_2048)]);
import { pair } from './setups.js';

describe('failures explained in one line', () => {
  it('proposal mismatch: responder names both sides, initiator names its offer', async () => {
    const { x, moon, sun } = await pair({ ikeProposals: [IKE_CBC_SHA1] }, { ikeProposals: [IKE_GCM_X25519] });
    const up = moon.engine.up('office');
    await x.settle();
    expect(await x.run()).toEqual(['IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2', 'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1']);
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toBe(
      "peer 192.0.2.2 rejected every IKE proposal of conn 'office' (NO_PROPOSAL_CHOSEN): we offered AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048; the peer's log names what it accepts",
    );
    const sunLine = sun.log.find((l) => l.includes('no acceptable IKE proposal'));
    expect(sunLine).toContain(
      "no acceptable IKE proposal: peer offered AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048, conn 'office' accepts AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519; no common encryption, PRF, key exchange",
    );
    // No state is kept by either side.
    expect(moon.engine.sas()).toHaveLength(0);
    expect(sun.engine.sas()).toHaveLength(0);
  });

  it('a weak group is refused before anything is sent', async () => {
    const { x, moon } = await pair({ ikeProposals: [IKE_LEGACY] });
    const result = await moon.engine.up('office');
    await x.settle();
    expect(x.queue).toHaveLength(0);
    expect(result.error).toMatch(/^conn 'office': .*MODP_1024/);
  });

  it('wrong PSK: AUTHENTICATION_FAILED on both sides, no secret in any log line', async () => {
    const { x, moon, sun } = await pair({}, {}, { moon: 'moon-thinks-this', sun: 'sun-thinks-that' });
    const up = moon.engine.up('office');
    await x.settle();
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_AUTH request 192.0.2.1 -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 192.0.2.1',
    ]);
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toBe(
      "AUTHENTICATION_FAILED: peer 192.0.2.2 rejected our PSK authentication as 'moon.example' for conn 'office'; check that both sides use the same pre-shared key for these IDs (see the peer's log)",
    );
    const sunLine = sun.log.find((l) => l.includes('AUTHENTICATION_FAILED'));
    expect(sunLine).toContain(
      "AUTHENTICATION_FAILED: peer 'moon.example' (192.0.2.1) sent a pre-shared key AUTH that does not match ours for conn 'office' (local ID 'sun.example'); the PSKs on the two sides differ",
    );
    for (const line of [...moon.log, ...sun.log]) {
      expect(line).not.toMatch(/thinks/);
    }
    expect(moon.engine.sas()).toHaveLength(0);
    expect(sun.engine.sas()).toHaveLength(0);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
  });

  it('unknown peer ID: responder explains which conn expected whom', async () => {
    const { x, moon, sun } = await pair({}, { remoteId: { type: 2, value: 'carol.example' } });
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).error).toMatch(/^AUTHENTICATION_FAILED: peer 192.0.2.2 rejected our PSK authentication/);
    expect(sun.log.join('\n')).toContain("no conn accepts peer 'moon.example' (192.0.2.1): 'office' expects peer ID 'carol.example'");
  });
});
