import { describe, expect, it } from 'vitest';
import { moonConn, pair, PSK } from './setups.js';
import { pskSecrets } from './harness.js';

// Regression: 'bug: a restarted initiator got no CHILD SA because the
// responder kept the SAs and policies of the crashed instance'. RFC 7296
// §2.4: INITIAL_CONTACT says the sender holds no other IKE SA with us, so
// the responder drops what it still has for that peer before installing.
describe('INITIAL_CONTACT from a restarted peer', () => {
  it('replaces the old IKE and CHILD SAs instead of refusing the new CHILD SA', async () => {
    const { x, moon, sun } = await pair();
    const first = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await first).ok).toBe(true);
    const before = sun.engine.status().ikeSas;
    expect(before).toHaveLength(1);

    // moon crashes: its state is gone, sun still holds everything.
    await moon.transport.close();
    const reborn = await x.side('moon-restarted', '192.0.2.1');
    await reborn.engine.loadConns([moonConn()], pskSecrets(PSK, '@moon.example', '@sun.example'));
    const second = reborn.engine.up('office');
    await x.settle();
    await x.run();
    const result = await second;
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);

    const after = sun.engine.status().ikeSas;
    expect(after).toHaveLength(1);
    expect(after[0]!.spiI).not.toBe(before[0]!.spiI);
    expect(after[0]!.children).toHaveLength(1);
    const newSpis = [after[0]!.children[0]!.spiIn, after[0]!.children[0]!.spiOut].map((s) => parseInt(s, 16)).sort();
    // Exactly the new pair in sun's kernel: the crashed instance's SAs are gone.
    expect((await sun.kernel.listSas()).map((s) => s.spi).sort()).toEqual(newSpis);
    expect(sun.log.some((l) => l.includes('INITIAL_CONTACT'))).toBe(true);
  });
});
