// The kernel backend's socket setup applied through the transport hook:
// every IKE socket is exempted from IPsec policies, NAT-T sockets get
// ESP-in-UDP decapsulation. The second test uses the real xfrm backend and
// proves the effect: ESP sent to the NAT-T socket is taken by the kernel and
// never reaches the transport (without the hook it is dropped and counted
// there, see test/net/udp-transport.test.ts). Needs root (it only sets
// socket options; no kernel SA or policy is created).
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelSocketHook } from '../../src/daemon/compose.js';
import { XfrmBackend } from '../../src/kernel/xfrm/backend.js';
import type { Datagram } from '../../src/net/transport.js';
import { UdpTransport } from '../../src/net/udp-transport.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('kernelSocketHook', () => {
  it('bypasses every socket and enables encapsulation on NAT-T sockets only', async () => {
    const calls: string[] = [];
    const describeSocket = (s: dgram.Socket) => `${s.address().family}:${s.address().port}`;
    const transport = new UdpTransport({
      addresses: ['127.0.0.1', '::1'],
      ports: { ike: 0, natt: 0 },
      socketHook: kernelSocketHook({
        bypassSocket: async (s) => void calls.push(`bypass ${describeSocket(s)}`),
        enableUdpEncap: async (s) => void calls.push(`encap ${describeSocket(s)}`),
      }),
    });
    await transport.start();
    closers.push(() => transport.close());
    const natt = transport.boundSockets().filter((b) => b.info.role === 'natt');
    const all = transport.boundSockets();
    expect(calls.filter((c) => c.startsWith('bypass')).sort()).toEqual(all.map((b) => `bypass ${describeSocket(b.socket)}`).sort());
    expect(calls.filter((c) => c.startsWith('encap')).sort()).toEqual(natt.map((b) => `encap ${describeSocket(b.socket)}`).sort());
  });

  it('with the xfrm backend the kernel takes ESP off the NAT-T socket', async () => {
    const kernel = new XfrmBackend();
    closers.push(() => kernel.close());
    const transport = new UdpTransport({ addresses: ['127.0.0.1'], ports: { ike: 0, natt: 0 }, socketHook: kernelSocketHook(kernel) });
    await transport.start();
    closers.push(() => transport.close());
    const natt = transport.boundSockets().find((b) => b.info.role === 'natt')!.info.local;

    const peer = dgram.createSocket('udp4');
    closers.push(() => new Promise<void>((r) => peer.close(() => r())));
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<Datagram>((resolve) => transport.onDatagram(resolve));
    const send = (bytes: number[]) =>
      new Promise<void>((r) => peer.send(Buffer.from(bytes), natt.port, natt.address, () => r()));
    await send([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd]); // ESP: SPI 0x12345678
    await send([0, 0, 0, 0, 0x2a]); // IKE after the non-ESP marker
    expect([...(await got).bytes]).toEqual([0x2a]);
    expect(transport.counters().drops['esp-on-natt-socket']).toBeUndefined();
    expect(transport.counters().received).toBe(1);
  });
});
