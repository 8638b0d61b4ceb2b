import { describe, expect, it } from 'vitest';
import { KE, PRF, ENCR } from '../../src/wire/iana/transforms.js';
import { encr, ke, prf, proposal } from '../ike/fixtures.js';
import { pair } from './setups.js';

describe('INVALID_KE_PAYLOAD', () => {
  it('initiator retries IKE_SA_INIT with the group the responder asks for', async () => {
    const both = [encr(ENCR.AES_GCM_16, 256), prf(PRF.HMAC_SHA2_256)];
    const { x, moon } = await pair(
      // moon guesses CURVE25519 first, but also allows ECP_256.
      { ikeProposals: [proposal('ike', [...both, ke(KE.CURVE25519), ke(KE.ECP_256)])] },
      { ikeProposals: [proposal('ike', [...both, ke(KE.ECP_256)])] },
    );
    const up = moon.engine.up('office');
    await x.settle();
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1', // N(INVALID_KE_PAYLOAD)
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_AUTH request 192.0.2.1 -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 192.0.2.1',
    ]);
    const result = await up;
    expect(result.ok).toBe(true);
    expect(result.ikeSa?.proposal).toBe('AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256');
    expect(moon.log.join('\n')).toContain('peer asked for INVALID_KE_PAYLOAD (ECP_256); restarting IKE_SA_INIT');
  });
});

describe('retransmission', () => {
  it('initiator resends a lost request after the timeout, same bytes, then completes', async () => {
    const { x, moon } = await pair();
    const up = moon.engine.up('office');
    await x.settle();
    const first = x.queue[0]!.bytes;
    expect(x.drop()).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2');
    await x.advance(3999);
    expect(x.queue).toHaveLength(0);
    await x.advance(1);
    expect(x.describe()).toEqual(['IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2']);
    expect(x.queue[0]!.bytes.equals(first)).toBe(true);
    await x.deliver();
    // Lose the IKE_AUTH response: the responder must answer the retransmit from its cache.
    await x.deliver(); // IKE_SA_INIT response
    await x.deliver(); // IKE_AUTH request
    const authResponse = x.queue[0]!.bytes;
    expect(x.drop()).toBe('IKE_AUTH response 192.0.2.2 -> 192.0.2.1');
    await x.advance(4000);
    expect(await x.deliver()).toBe('IKE_AUTH request 192.0.2.1 -> 192.0.2.2');
    expect(x.describe()).toEqual(['IKE_AUTH response 192.0.2.2 -> 192.0.2.1']);
    expect(x.queue[0]!.bytes.equals(authResponse)).toBe(true);
    await x.deliver();
    expect((await up).ok).toBe(true);
  });

  it('responder answers a duplicated request from its cache without new work', async () => {
    const { x, moon, sun } = await pair();
    const up = moon.engine.up('office');
    await x.settle();
    const init = x.queue[0]!;
    await x.deliver();
    const response = x.queue[0]!.bytes;
    // The same IKE_SA_INIT again (a duplicate on the path).
    sun.transport.deliver({ local: init.remote, remote: init.local, bytes: init.bytes });
    await x.settle();
    expect(x.queue).toHaveLength(2);
    expect(x.queue[1]!.bytes.equals(response)).toBe(true);
    expect(sun.engine.sas()).toHaveLength(1);
    x.queue.pop();
    await x.run();
    expect((await up).ok).toBe(true);
  });

  it('a late copy of the IKE_SA_INIT after IKE_AUTH finds the established SA: dropped, no new half-open SA, no answer', async () => {
    const { x, moon, sun } = await pair();
    const up = moon.engine.up('office');
    await x.settle();
    const init = x.queue[0]!;
    await x.run();
    expect((await up).ok).toBe(true);
    // A retransmission the path delayed past the IKE_AUTH exchange.
    sun.transport.deliver({ local: init.remote, remote: init.local, bytes: init.bytes });
    await x.settle();
    expect(x.queue).toHaveLength(0);
    expect(sun.engine.sas()).toHaveLength(1);
    expect(sun.engine.status().ikeSaInit?.responderSas).toBe(1);
    expect(sun.engine.status().drops['invalid-message-id']).toBe(1);
  });

  it('gives up after the retransmit budget, once per keyingtries, with the reason', async () => {
    const { x, moon } = await pair({ keyingTries: 2, retransmit: { timeoutMs: 1000, base: 2, tries: 2 } });
    const up = moon.engine.up('office');
    let sent = 0;
    for (let i = 0; i < 20 && sent < 6; i++) {
      await x.settle();
      while (x.queue.length > 0) {
        x.drop();
        sent++;
      }
      await x.advance(1000);
    }
    // The last wait after the final retransmit, then the give-up.
    await x.advance(10_000);
    expect(x.queue).toHaveLength(0);
    const result = await up;
    expect(sent).toBe(6); // (1 send + 2 retransmits) x 2 keying tries
    expect(result.ok).toBe(false);
    expect(result.error).toBe('peer 192.0.2.2 did not answer IKE_SA_INIT after 2 retransmits; giving up');
    expect(moon.engine.sas()).toHaveLength(0);
  });
});
