import { describe, expect, it } from 'vitest';
import { Exchange, pskSecrets } from './harness.js';
import { moonConn, PSK, sunConn } from './setups.js';

describe('COOKIE (RFC 7296 §2.6)', () => {
  it('responder under load answers statelessly; initiator retries with the cookie', async () => {
    const x = new Exchange();
    const moon = await x.side('moon', '192.0.2.1');
    const sun = await x.side('sun', '192.0.2.2', { cookieThreshold: 0 });
    const secrets = pskSecrets(PSK, '@moon.example', '@sun.example');
    await moon.engine.loadConns([moonConn()], secrets);
    await sun.engine.loadConns([sunConn()], secrets);
    const up = moon.engine.up('office');
    await x.settle();
    expect(await x.deliver()).toBe('IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2');
    expect(sun.engine.sas()).toHaveLength(0); // nothing kept before the cookie comes back
    expect(sun.engine.status().drops['cookie-required']).toBe(1);
    expect(await x.run()).toEqual([
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1',
      'IKE_AUTH request 192.0.2.1 -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 192.0.2.1',
    ]);
    expect((await up).ok).toBe(true);
    expect(moon.log.join('\n')).toContain('peer asked for COOKIE; restarting IKE_SA_INIT');
  });
});
