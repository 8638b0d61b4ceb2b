import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type SocketHook, UdpTransport } from '../../src/net/udp-transport.js';
import type { Datagram, Endpoint } from '../../src/net/transport.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function transport(addresses: string[] | undefined, hook?: SocketHook) {
  const t = new UdpTransport({ ...(addresses ? { addresses } : {}), ports: { ike: 0, natt: 0 }, ...(hook ? { socketHook: hook } : {}) });
  open.push(t);
  return t;
}

function nextDatagram(t: UdpTransport): Promise<Datagram> {
  return new Promise((resolve) => t.onDatagram(resolve));
}

function portOf(t: UdpTransport, role: 'ike' | 'natt', address: string): number {
  const s = t.boundSockets().find((b) => b.info.role === role && b.info.local.address === address);
  if (!s) throw new Error(`no ${role} socket on ${address}`);
  return s.info.local.port;
}

function rawSocket(type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  open.push({ close: () => new Promise<void>((r) => s.close(() => r())) });
  return new Promise((resolve) => s.bind(0, address, () => resolve(s)));
}

function rawSend(s: dgram.Socket, bytes: Buffer, to: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => s.send(bytes, to.port, to.address, (e) => (e ? reject(e) : resolve())));
}

function rawReceive(s: dgram.Socket): Promise<Buffer> {
  return new Promise((resolve) => s.once('message', (m) => resolve(m)));
}

describe('UdpTransport', () => {
  it('carries IKE messages between two transports on port 500 (IPv4 and IPv6)', async () => {
    for (const [address, type] of [['127.0.0.1', 'udp4'], ['::1', 'udp6']] as const) {
      const a = transport([address]);
      const b = transport([address]);
      await a.start();
      await b.start();
      const got = nextDatagram(b);
      const message = Buffer.from('ike-message-bytes');
      await a.send({
        local: { address, port: portOf(a, 'ike', address) },
        remote: { address, port: portOf(b, 'ike', address) },
        bytes: message,
      });
      const d = await got;
      expect(d.bytes.equals(message)).toBe(true);
      expect(d.local).toEqual({ address, port: portOf(b, 'ike', address) });
      expect(d.remote).toEqual({ address, port: portOf(a, 'ike', address) });
      expect(a.counters().sent).toBe(1);
      expect(b.counters().received).toBe(1);
      void type;
    }
  });

  it('adds the non-ESP marker on 4500 outbound and strips it inbound', async () => {
    const t = transport(['127.0.0.1']);
    await t.start();
    const peer = await rawSocket('udp4', '127.0.0.1');
    const natt = { address: '127.0.0.1', port: portOf(t, 'natt', '127.0.0.1') };

    const outbound = rawReceive(peer);
    await t.send({ local: natt, remote: { address: '127.0.0.1', port: peer.address().port }, bytes: Buffer.from([1, 2, 3]) });
    expect([...(await outbound)]).toEqual([0, 0, 0, 0, 1, 2, 3]);

    const inbound = nextDatagram(t);
    await rawSend(peer, Buffer.from([0, 0, 0, 0, 9, 8, 7]), natt);
    const d = await inbound;
    expect([...d.bytes]).toEqual([9, 8, 7]);
    expect(d.local).toEqual(natt);
  });

  it('drops ESP on the NAT-T socket, ignores keepalives, counts both, keeps working', async () => {
    const t = transport(['127.0.0.1']);
    await t.start();
    const peer = await rawSocket('udp4', '127.0.0.1');
    const natt = { address: '127.0.0.1', port: portOf(t, 'natt', '127.0.0.1') };
    const seen: Datagram[] = [];
    const marker = new Promise<void>((resolve) =>
      t.onDatagram((d) => {
        seen.push(d);
        resolve();
      }),
    );
    await rawSend(peer, Buffer.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1]), natt); // ESP, SPI 0x12345678
    await rawSend(peer, Buffer.from([0xff]), natt); // NAT-keepalive
    await rawSend(peer, Buffer.from([0, 0]), natt); // too short for a marker
    await rawSend(peer, Buffer.from([0, 0, 0, 0, 42]), natt); // the IKE message after them
    await marker;
    expect(seen.map((d) => [...d.bytes])).toEqual([[42]]);
    const c = t.counters();
    expect(c.drops['esp-on-natt-socket']).toBe(1);
    expect(c.drops['short-natt-datagram']).toBe(1);
    expect(c.keepalives).toBe(1);
    expect(c.received).toBe(1);
  });

  it('does not treat the marker specially on port 500', async () => {
    const t = transport(['127.0.0.1']);
    await t.start();
    const peer = await rawSocket('udp4', '127.0.0.1');
    const got = nextDatagram(t);
    await rawSend(peer, Buffer.from([0xff]), { address: '127.0.0.1', port: portOf(t, 'ike', '127.0.0.1') });
    expect([...(await got).bytes]).toEqual([0xff]);
  });

  it('listening on any binds wildcards and each interface address, reporting the exact local address', async () => {
    const t = transport(undefined);
    await t.start();
    const listening = t.listening().map((e) => e.address);
    expect(listening).toEqual(expect.arrayContaining(['0.0.0.0', '::', '127.0.0.1', '::1']));
    const ikePort = portOf(t, 'ike', '0.0.0.0');
    expect(portOf(t, 'ike', '127.0.0.1')).toBe(ikePort); // one port per role, like 500
    const peer = await rawSocket('udp4', '127.0.0.1');
    const got = nextDatagram(t);
    await rawSend(peer, Buffer.from('x'), { address: '127.0.0.1', port: ikePort });
    expect((await got).local).toEqual({ address: '127.0.0.1', port: ikePort });
  });

  it('hands every raw socket with its role to the socket hook before start resolves', async () => {
    const seen: string[] = [];
    const t = transport(['127.0.0.1', '::1'], (socket, info) => {
      expect(socket.address().port).toBe(info.local.port);
      seen.push(`${info.role}:${info.family}:${info.local.address}`);
    });
    await t.start();
    expect(seen.sort()).toEqual(['ike:IPv4:127.0.0.1', 'ike:IPv6:::1', 'natt:IPv4:127.0.0.1', 'natt:IPv6:::1']);
  });

  it('fails start with a clear error when the port is taken, and releases what it bound', async () => {
    const holder = await rawSocket('udp4', '127.0.0.1');
    const port = holder.address().port;
    const t = new UdpTransport({ addresses: ['127.0.0.1'], ports: { ike: port, natt: 0 } });
    await expect(t.start()).rejects.toMatchObject({ code: 'NET_ADDRESS_IN_USE' });
    expect(t.listening()).toEqual([]);
  });

  it('rejects sending from a port it does not listen on', async () => {
    const t = transport(['127.0.0.1']);
    await t.start();
    await expect(
      t.send({ local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, bytes: Buffer.alloc(1) }),
    ).rejects.toMatchObject({ code: 'NET_NO_SOCKET' });
  });

  it('a throwing receiver is counted, not fatal', async () => {
    const t = transport(['127.0.0.1']);
    await t.start();
    const peer = await rawSocket('udp4', '127.0.0.1');
    let calls = 0;
    const second = new Promise<void>((resolve) =>
      t.onDatagram(() => {
        calls++;
        if (calls === 1) throw new Error('boom');
        resolve();
      }),
    );
    const to = { address: '127.0.0.1', port: portOf(t, 'ike', '127.0.0.1') };
    await rawSend(peer, Buffer.from('a'), to);
    await rawSend(peer, Buffer.from('b'), to);
    await second;
    expect(t.counters().drops['receiver-error']).toBe(1);
  });
});
