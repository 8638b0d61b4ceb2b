import { describe, expect, it } from 'vitest';
import { VirtualNetwork } from '../../src/net/memory-transport.js';
import type { Datagram } from '../../src/net/transport.js';

const A = { address: '192.0.2.1', port: 500 };
const B = { address: '198.51.100.1', port: 500 };

function setup() {
  const net = new VirtualNetwork();
  const a = net.endpoint([A]);
  const b = net.endpoint([B]);
  const received: Datagram[] = [];
  b.onDatagram((d) => received.push(d));
  return { net, a, b, received };
}

const text = (ds: Datagram[]) => ds.map((d) => d.bytes.toString());

describe('VirtualNetwork', () => {
  it('delivers in order, from the receiver point of view', async () => {
    const { net, a, b, received } = setup();
    await a.start();
    await b.start();
    for (const m of ['1', '2', '3']) await a.send({ local: A, remote: B, bytes: Buffer.from(m) });
    expect(received).toHaveLength(0); // asynchronous, like a socket
    await net.idle();
    expect(text(received)).toEqual(['1', '2', '3']);
    expect(received[0]!.local).toEqual(B);
    expect(received[0]!.remote).toEqual(A);
  });

  it('loss, duplication and reordering hooks', async () => {
    const { net, a, b, received } = setup();
    await a.start();
    await b.start();
    net.setFaultHook((d) => {
      const m = d.bytes.toString();
      return m === 'lost' ? 'drop' : m === 'twice' ? 'duplicate' : m === 'late' ? 'hold' : 'deliver';
    });
    for (const m of ['late', 'lost', 'twice', 'x']) await a.send({ local: A, remote: B, bytes: Buffer.from(m) });
    await net.idle();
    expect(text(received)).toEqual(['twice', 'twice', 'x']);
    expect(net.heldCount()).toBe(1);
    net.releaseHeld();
    await net.idle();
    expect(text(received)).toEqual(['twice', 'twice', 'x', 'late']);
    expect(text(net.log)).toEqual(['late', 'lost', 'twice', 'x']);
  });

  it('the sender cannot change bytes after sending; unbound targets vanish; close detaches', async () => {
    const { net, a, b, received } = setup();
    await a.start();
    await b.start();
    const bytes = Buffer.from('abc');
    await a.send({ local: A, remote: B, bytes });
    bytes.fill(0);
    await a.send({ local: A, remote: { address: '203.0.113.9', port: 500 }, bytes: Buffer.from('void') });
    await net.idle();
    expect(text(received)).toEqual(['abc']);
    await b.close();
    await a.send({ local: A, remote: B, bytes: Buffer.from('after') });
    await net.idle();
    expect(text(received)).toEqual(['abc']);
  });

  it('inject delivers from an unbound (spoofed) source', async () => {
    const { net, b, received } = setup();
    await b.start();
    net.inject({ local: { address: '203.0.113.66', port: 500 }, remote: B, bytes: Buffer.from('spoof') });
    await net.idle();
    expect(text(received)).toEqual(['spoof']);
    expect(received[0]!.remote).toEqual({ address: '203.0.113.66', port: 500 });
  });

  it('refuses two endpoints on one address and sends from unbound ports', async () => {
    const net = new VirtualNetwork();
    await net.endpoint([A]).start();
    await expect(net.endpoint([A]).start()).rejects.toMatchObject({ code: 'NET_ADDRESS_IN_USE' });
    const b = net.endpoint([B]);
    await b.start();
    await expect(b.send({ local: { ...B, port: 4500 }, remote: A, bytes: Buffer.alloc(1) })).rejects.toMatchObject({
      code: 'NET_NO_SOCKET',
    });
  });
});
