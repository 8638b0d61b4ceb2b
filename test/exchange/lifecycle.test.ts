import { describe, expect, it } from 'vitest';
import { pair } from './setups.js';

async function established() {
  const p = await pair();
  const up = p.moon.engine.up('office');
  await p.x.settle();
  await p.x.run();
  expect((await up).ok).toBe(true);
  return p;
}

describe('deleting and stopping', () => {
  it('the responder can delete too; the initiator removes its kernel state', async () => {
    const { x, moon, sun } = await established();
    const down = sun.engine.down('office');
    await x.settle();
    expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.2 -> 192.0.2.1', 'INFORMATIONAL response 192.0.2.1 -> 192.0.2.2']);
    await down;
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(moon.engine.sas()).toHaveLength(0);
    expect(moon.log.join('\n')).toContain("peer 192.0.2.2 deleted IKE SA 'office'");
  });

  it('shutdown tells the peer, waits for its answer, and flushes our kernel state', async () => {
    const { x, moon, sun } = await established();
    const stopped = moon.engine.shutdown();
    await x.settle();
    expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2', 'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1']);
    await x.advance(2000); // the grace timer ends the wait either way
    await stopped;
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
    expect(sun.engine.sas()).toHaveLength(0);
  });

  it('shutdown with a dead peer gives up after the grace period and still cleans up', async () => {
    const { x, moon } = await established();
    const stopped = moon.engine.shutdown();
    await x.settle();
    expect(x.drop()).toBe('INFORMATIONAL request 192.0.2.1 -> 192.0.2.2');
    await x.advance(2000);
    await stopped;
    expect(moon.engine.sas()).toHaveLength(0);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });

  it('answers a liveness check (empty INFORMATIONAL)', async () => {
    const { x, moon, sun } = await established();
    // Drive the peer's window by hand: sun sends an empty INFORMATIONAL request.
    const sunSa = sun.engine.sas()[0]!;
    const { encodeProtected } = await import('../../src/ike/protection.js');
    const d = sunSa.data;
    const bytes = encodeProtected({ spiI: d.spiI, spiR: d.spiR, exchangeType: 37, messageId: 0, initiator: false, response: false }, [], d.skOut!);
    moon.transport.deliver({ local: { address: '192.0.2.1', port: 500 }, remote: { address: '192.0.2.2', port: 500 }, bytes });
    await x.settle();
    expect(x.describe()).toEqual(['INFORMATIONAL response 192.0.2.1 -> 192.0.2.2']);
    expect(moon.engine.sas()[0]?.data.state.state).toBe('ESTABLISHED');
  });
});

describe('up on an established conn', () => {
  it('reports the existing SA instead of negotiating a second one', async () => {
    const { x, moon } = await established();
    const again = await moon.engine.up('office');
    await x.settle();
    expect(again.ok).toBe(true);
    expect(x.queue).toHaveLength(0);
    expect(moon.engine.sas()).toHaveLength(1);
  });

  it('explains unknown conns and responder-only conns', async () => {
    const { moon } = await pair({ name: 'x', remoteAddress: '%any' });
    expect(await moon.engine.up('nope')).toEqual({ ok: false, error: "no conn named 'nope' is loaded" });
    expect((await moon.engine.up('x')).error).toBe("conn 'x' has right=%any: it can only answer, not initiate (set right= to the peer's address)");
  });
});

describe('kernel lifetime expiry', () => {
  it('a hard EXPIRE deletes the CHILD SA with the peer and removes the rest of it', async () => {
    const { x, moon, sun } = await established();
    const child = moon.engine.sas()[0]!.data.children[0]!.params;
    const gone = (await moon.kernel.listSas()).find((s) => s.spi === child.spiIn)!;
    await moon.kernel.deleteSa({ dst: gone.dst, spi: gone.spi, proto: 'esp' });
    moon.kernel.kernel.emit({ type: 'expire', hard: true, sa: { dst: gone.dst, spi: gone.spi, proto: 'esp', src: gone.src, reqid: gone.reqid } });
    await x.settle();
    expect(await x.run()).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2', 'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1']);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await moon.kernel.listPolicies()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
    expect(moon.engine.status().ikeSas[0]).toMatchObject({ state: 'ESTABLISHED', children: [] });
  });
});
