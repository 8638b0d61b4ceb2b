// UDP transport on the IKE port (500) and the NAT-T port (4500), IPv4 and
// IPv6. Node's dgram cannot tell which local address a datagram arrived on
// (no IP_PKTINFO), so when asked to listen on "any" we bind one socket per
// interface address (giving the engine the exact local address it needs for
// NAT detection) plus a wildcard socket per family that catches addresses
// added later. Linux delivers each datagram to the most specific binding;
// SO_REUSEADDR on every socket lets specific and wildcard bindings coexist.

import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SubsystemLogger } from '../log/logger.js';
import { addNonEspMarker, classifyNattDatagram } from './non-esp-marker.js';
import {
  type Datagram,
  type DatagramHandler,
  type DatagramTransport,
  type Endpoint,
  type TransportCounters,
  TransportError,
  formatEndpoint,
} from './transport.js';

export type SocketRole = 'ike' | 'natt';

export interface SocketInfo {
  role: SocketRole;
  family: 'IPv4' | 'IPv6';
  /** The bound endpoint (port resolved when 0 was asked). */
  local: Endpoint;
}

/**
 * Called once per socket after bind and before start() resolves: the place
 * where the kernel backend exempts the socket from IPsec policies
 * (`bypassSocket`) and turns on UDP encapsulation on NAT-T sockets
 * (`enableUdpEncap`).
 */
export type SocketHook = (socket: dgram.Socket, info: SocketInfo) => void | Promise<void>;

export interface UdpTransportOptions {
  /**
   * Addresses to bind. Omitted or empty: every interface address plus the
   * IPv4 and IPv6 wildcards. "0.0.0.0" / "::" in the list mean the wildcard
   * of that family only.
   */
  addresses?: string[];
  /** Default { ike: 500, natt: 4500 }; 0 picks a free port (tests). */
  ports?: { ike: number; natt: number };
  socketHook?: SocketHook;
  /**
   * SO_RCVBUF per socket (default 4 MiB, capped by net.core.rmem_max): a
   * burst of IKE_SA_INIT is queued rather than dropped by the kernel while
   * the daemon works through it.
   */
  receiveBufferBytes?: number;
  log?: SubsystemLogger;
}

interface BoundSocket {
  socket: dgram.Socket;
  info: SocketInfo;
  wildcard: boolean;
}

const WILDCARD = { IPv4: '0.0.0.0', IPv6: '::' } as const;

function familyOf(address: string): 'IPv4' | 'IPv6' {
  const v = isIP(address);
  if (v === 4) return 'IPv4';
  if (v === 6) return 'IPv6';
  throw new TransportError('NET_BAD_ADDRESS', `'${address}' is not an IPv4 or IPv6 address`);
}

function stripZone(address: string): string {
  const i = address.indexOf('%');
  return i < 0 ? address : address.slice(0, i);
}

/** Interface addresses worth a socket of their own (no link-local IPv6). */
export function interfaceAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv6' && (info.scopeid ?? 0) !== 0) continue;
      if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80')) continue;
      found.push(info.address);
    }
  }
  return [...new Set(found)];
}

export class UdpTransport implements DatagramTransport {
  private readonly sockets: BoundSocket[] = [];
  private handler: DatagramHandler | undefined;
  private readonly stats: TransportCounters = { received: 0, sent: 0, keepalives: 0, drops: {} };
  private readonly ports: { ike: number; natt: number };
  private closed = false;

  constructor(private readonly options: UdpTransportOptions = {}) {
    this.ports = options.ports ?? { ike: 500, natt: 4500 };
  }

  /** Listening on "any": interface addresses are followed by refresh(). */
  private anyMode = false;

  async start(): Promise<void> {
    const requested = this.options.addresses ?? [];
    const any = requested.length === 0;
    this.anyMode = any;
    const specific = any ? interfaceAddresses() : requested.filter((a) => a !== '0.0.0.0' && a !== '::');
    const wildcards: Array<'IPv4' | 'IPv6'> = any
      ? ['IPv4', 'IPv6']
      : requested.filter((a) => a === '0.0.0.0' || a === '::').map(familyOf);
    try {
      for (const role of ['ike', 'natt'] as const) {
        // With port 0 (tests) the first socket of a role picks a free port
        // and the others of that role share it, as they would 500/4500.
        for (const family of wildcards) await this.bindOne(role, WILDCARD[family], true, false);
        for (const address of specific) await this.bindOne(role, address, false, any);
      }
      for (const bound of this.sockets) await this.options.socketHook?.(bound.socket, bound.info);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /**
   * When listening on "any": binds sockets for interface addresses that
   * appeared since start (so their datagrams carry the exact local address)
   * and closes those of addresses that went away. The daemon calls it on
   * reload; the wildcard sockets serve new addresses in the meantime.
   */
  async refresh(): Promise<{ added: string[]; removed: string[] }> {
    if (!this.anyMode || this.closed) return { added: [], removed: [] };
    const wanted = new Set(interfaceAddresses());
    const specific = this.sockets.filter((s) => !s.wildcard);
    const have = new Set(specific.map((s) => s.info.local.address));
    const gone = specific.filter((s) => !wanted.has(s.info.local.address));
    for (const s of gone) {
      this.sockets.splice(this.sockets.indexOf(s), 1);
      s.socket.close();
    }
    const before = new Set(this.sockets);
    const added = [...wanted].filter((a) => !have.has(a));
    for (const role of ['ike', 'natt'] as const) {
      for (const address of added) await this.bindOne(role, address, false, true);
    }
    // A socket the hook could not set up (no policy bypass) must not stay.
    let failure: unknown;
    for (const bound of this.sockets.filter((s) => !before.has(s))) {
      try {
        await this.options.socketHook?.(bound.socket, bound.info);
      } catch (err) {
        failure ??= err;
        this.sockets.splice(this.sockets.indexOf(bound), 1);
        bound.socket.close();
      }
    }
    if (failure) throw failure;
    const removed = [...new Set(gone.map((s) => s.info.local.address))];
    return { added: added.filter((a) => this.sockets.some((s) => s.info.local.address === a)), removed };
  }

  private bindOne(role: SocketRole, address: string, wildcard: boolean, optional: boolean): Promise<void> {
    const family = familyOf(address);
    const port = this.ports[role] || (this.sockets.find((s) => s.info.role === role)?.info.local.port ?? 0);
    const socket = dgram.createSocket({
      type: family === 'IPv4' ? 'udp4' : 'udp6',
      reuseAddr: true,
      ipv6Only: family === 'IPv6',
      recvBufferSize: this.options.receiveBufferBytes ?? 4 * 1024 * 1024,
    });
    return new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        socket.close();
        if (optional) {
          // An interface address may vanish or still be tentative (IPv6
          // DAD) between listing and binding: the wildcard covers it.
          this.options.log?.debug('skipping address', { address, port, reason: err.code ?? err.message });
          resolve();
          return;
        }
        const what = `UDP ${formatEndpoint({ address, port })}`;
        if (err.code === 'EADDRINUSE') {
          reject(new TransportError('NET_ADDRESS_IN_USE', `${what} is in use (is another IKE daemon running?)`));
        } else if (err.code === 'EADDRNOTAVAIL') {
          reject(new TransportError('NET_ADDRESS_NOT_AVAILABLE', `${what}: no such local address`));
        } else if (err.code === 'EACCES') {
          reject(new TransportError('NET_PERMISSION', `${what}: permission denied (needs CAP_NET_BIND_SERVICE)`));
        } else {
          reject(new TransportError('NET_BIND_FAILED', `${what}: ${err.message}`));
        }
      };
      socket.once('error', onError);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', onError);
        const bound = socket.address();
        const info: SocketInfo = { role, family, local: { address: stripZone(bound.address), port: bound.port } };
        const entry: BoundSocket = { socket, info, wildcard };
        socket.on('message', (msg, rinfo) => this.receive(entry, msg, rinfo));
        socket.on('error', (e) => {
          this.count('socket-error');
          this.options.log?.warn('socket error', { local: formatEndpoint(info.local), error: e });
        });
        this.sockets.push(entry);
        this.options.log?.debug('listening', { local: formatEndpoint(info.local), role });
        resolve();
      });
    });
  }

  private count(reason: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  private receive(entry: BoundSocket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let bytes = msg;
    if (entry.info.role === 'natt') {
      const c = classifyNattDatagram(msg);
      if (c.kind === 'keepalive') {
        this.stats.keepalives++;
        return;
      }
      if (c.kind === 'esp') {
        // The kernel should have taken ESP-in-UDP (UDP_ENCAP); if it
        // reaches us the socket is not set up for encapsulation.
        this.count('esp-on-natt-socket');
        return;
      }
      if (c.kind === 'short') {
        this.count('short-natt-datagram');
        return;
      }
      bytes = c.message;
    }
    this.stats.received++;
    const datagram: Datagram = {
      local: entry.info.local,
      remote: { address: stripZone(rinfo.address), port: rinfo.port },
      bytes,
    };
    if (!this.handler) {
      this.count('no-receiver');
      return;
    }
    try {
      this.handler(datagram);
    } catch (err) {
      this.count('receiver-error');
      this.options.log?.error('datagram receiver threw', { error: err });
    }
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  private pick(datagram: Datagram): BoundSocket {
    const role: SocketRole | undefined = this.roleOfPort(datagram.local.port);
    if (!role) {
      throw new TransportError(
        'NET_NO_SOCKET',
        `no socket on local port ${datagram.local.port} (listening: ${this.listening().map(formatEndpoint).join(', ')})`,
      );
    }
    const family = familyOf(datagram.remote.address);
    const candidates = this.sockets.filter((s) => s.info.role === role && s.info.family === family);
    const exact = candidates.find((s) => !s.wildcard && s.info.local.address === datagram.local.address);
    const chosen = exact ?? candidates.find((s) => s.wildcard);
    if (!chosen) {
      throw new TransportError(
        'NET_NO_SOCKET',
        `no ${family} socket for ${formatEndpoint(datagram.local)} to send to ${formatEndpoint(datagram.remote)}`,
      );
    }
    return chosen;
  }

  private roleOfPort(port: number): SocketRole | undefined {
    // With fixed ports the numbers decide; with ephemeral test ports each
    // socket has its own number, so look it up.
    const s = this.sockets.find((b) => b.info.local.port === port);
    return s?.info.role;
  }

  async send(datagram: Datagram): Promise<void> {
    if (this.closed) throw new TransportError('NET_CLOSED', 'transport is closed');
    const chosen = this.pick(datagram);
    // A NAT-T keepalive (one 0xFF octet, RFC 3948 §2.3) goes out bare; no
    // IKE message is one octet long, so the two cannot be confused.
    const keepalive = datagram.bytes.length === 1 && datagram.bytes[0] === 0xff;
    const payload = chosen.info.role === 'natt' && !keepalive ? addNonEspMarker(datagram.bytes) : datagram.bytes;
    await new Promise<void>((resolve, reject) => {
      chosen.socket.send(payload, datagram.remote.port, datagram.remote.address, (err) => {
        if (err) {
          this.count('send-error');
          reject(new TransportError('NET_SEND_FAILED', `send to ${formatEndpoint(datagram.remote)}: ${err.message}`));
        } else {
          this.stats.sent++;
          resolve();
        }
      });
    });
  }

  listening(): Endpoint[] {
    return this.sockets.map((s) => ({ ...s.info.local }));
  }

  /** The raw sockets with their role, for diagnostics. */
  boundSockets(): ReadonlyArray<{ socket: dgram.Socket; info: SocketInfo }> {
    return this.sockets;
  }

  counters(): TransportCounters {
    return { ...this.stats, drops: { ...this.stats.drops } };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.sockets.splice(0);
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            try {
              s.socket.close(() => resolve());
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
  }
}
