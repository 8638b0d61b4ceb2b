// Runs nodeswan's xfrm KernelBackend inside one network namespace and serves
// it over stdin/stdout (backend-wire.ts), for remote-backend.ts:
//
//   ip netns exec NS node --import tsx test/lab/backend-driver.ts
//
// Netlink sockets belong to the namespace of the process that opens them,
// and Node cannot switch namespaces, so each namespace gets its own small
// process. Besides the KernelBackend methods it owns UDP sockets for the
// tests (bypassSocket / enableUdpEncap need a socket in this process):
//   udpOpen(address, port, {encap, bypass}) -> handle
//   udpSend(handle, address, port, bytes)
//   udpReceive(handle) -> {address, port, data} (next datagram, queued)
//   udpClose(handle)

import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import type { KernelBackend } from '../../src/kernel/backend.js';
import { XfrmBackend } from '../../src/kernel/xfrm/backend.js';
import { decodeLine, encodeLine, type DriverRequest } from './backend-wire.js';

interface Datagram {
  address: string;
  port: number;
  data: Uint8Array;
}

interface UdpEndpoint {
  socket: Socket;
  queue: Datagram[];
  waiting: Array<(d: Datagram) => void>;
}

const backend: KernelBackend = new XfrmBackend(JSON.parse(process.env.NODESWAN_BACKEND_OPTIONS ?? '{}'));
const sockets = new Map<number, UdpEndpoint>();
let nextHandle = 1;
let unsubscribe: (() => void) | undefined;

function send(message: unknown): void {
  process.stdout.write(encodeLine(message));
}

const extra: Record<string, (...args: never[]) => Promise<unknown>> = {
  async udpOpen(address: string, port: number, options: { encap?: boolean; bypass?: boolean } = {}) {
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const endpoint: UdpEndpoint = { socket, queue: [], waiting: [] };
    socket.on('message', (data, rinfo) => {
      const datagram = { address: rinfo.address, port: rinfo.port, data: new Uint8Array(data) };
      const waiter = endpoint.waiting.shift();
      if (waiter) waiter(datagram);
      else endpoint.queue.push(datagram);
    });
    if (options.bypass) await backend.bypassSocket(socket);
    if (options.encap) await backend.enableUdpEncap(socket);
    const handle = nextHandle++;
    sockets.set(handle, endpoint);
    return { handle, port: socket.address().port };
  },
  async udpSend(handle: number, address: string, port: number, data: Uint8Array) {
    const endpoint = endpointOf(handle);
    await new Promise<void>((resolve, reject) =>
      endpoint.socket.send(data, port, address, (error) => (error ? reject(error) : resolve())),
    );
  },
  async udpReceive(handle: number) {
    const endpoint = endpointOf(handle);
    const queued = endpoint.queue.shift();
    if (queued) return queued;
    return new Promise<Datagram>((resolve) => endpoint.waiting.push(resolve));
  },
  async udpClose(handle: number) {
    endpointOf(handle).socket.close();
    sockets.delete(handle);
  },
  async subscribe() {
    unsubscribe ??= await backend.subscribe((event) => send({ event }));
    return null;
  },
  async unsubscribe() {
    unsubscribe?.();
    unsubscribe = undefined;
    return null;
  },
};

function endpointOf(handle: number): UdpEndpoint {
  const endpoint = sockets.get(handle);
  if (!endpoint) throw new Error(`no UDP socket with handle ${handle}`);
  return endpoint;
}

async function dispatch(request: DriverRequest): Promise<unknown> {
  const own = extra[request.method];
  if (own) return (own as (...args: unknown[]) => Promise<unknown>)(...request.args);
  if (request.method === 'reqidRange') return backend.reqidRange;
  const method = (backend as unknown as Record<string, unknown>)[request.method];
  if (typeof method !== 'function' || request.method === 'bypassSocket' || request.method === 'enableUdpEncap') {
    throw new Error(`backend driver: no method ${request.method}`);
  }
  return (method as (...args: unknown[]) => Promise<unknown>).apply(backend, request.args);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const request = decodeLine(line) as DriverRequest;
  dispatch(request).then(
    (result) => send({ id: request.id, result: result ?? null }),
    (error: unknown) => {
      const e = error as { name?: string; message?: string; code?: string; errno?: string };
      send({
        id: request.id,
        error: { name: e.name ?? 'Error', message: e.message ?? String(error), code: e.code, errno: typeof e.errno === 'string' ? e.errno : undefined },
      });
    },
  );
});
lines.on('close', () => {
  for (const endpoint of sockets.values()) endpoint.socket.close();
  void backend.close().finally(() => process.exit(0));
});

send({ ready: true, pid: process.pid });
