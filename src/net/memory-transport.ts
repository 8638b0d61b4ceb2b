// In-memory twin of the UDP transport: a virtual network of endpoints that
// exchange datagrams without sockets. Delivery is asynchronous (a macrotask
// per datagram, like a real socket) and in order unless a fault hook says
// otherwise. Fault hooks model loss, duplication and reordering for tests;
// `idle()` resolves once nothing is in flight, so tests await instead of
// sleeping.

import {
  type Datagram,
  type DatagramHandler,
  type DatagramTransport,
  type Endpoint,
  type TransportCounters,
  TransportError,
  formatEndpoint,
} from './transport.js';

/**
 * Decides the fate of one datagram in flight: `deliver` (default), `drop`,
 * `duplicate` (delivered twice) or `hold` (kept back until `releaseHeld()`,
 * which models reordering: later datagrams overtake it).
 */
export type Fate = 'deliver' | 'drop' | 'duplicate' | 'hold';
export type FaultHook = (datagram: Datagram, sequence: number) => Fate;

function key(endpoint: Endpoint): string {
  return formatEndpoint(endpoint);
}

export class VirtualNetwork {
  private readonly bound = new Map<string, MemoryTransport>();
  private fault: FaultHook | undefined;
  private held: Datagram[] = [];
  private inFlight = 0;
  private sequence = 0;
  private idleWaiters: Array<() => void> = [];
  /** Every datagram handed to the network, in send order (for assertions). */
  readonly log: Datagram[] = [];

  /** A transport listening on the given endpoints. */
  endpoint(locals: Endpoint[]): MemoryTransport {
    return new MemoryTransport(this, locals);
  }

  setFaultHook(hook: FaultHook | undefined): void {
    this.fault = hook;
  }

  /** Delivers the held datagrams now (after whatever overtook them). */
  releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const d of held) this.schedule(d);
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Resolves when no datagram is in flight (held ones do not count). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Delivers a datagram as if it came from anywhere (spoofed sources,
   * hostile packets): it skips the fault hook and needs no bound sender.
   */
  inject(datagram: Datagram): void {
    this.schedule({ local: { ...datagram.local }, remote: { ...datagram.remote }, bytes: Buffer.from(datagram.bytes) });
  }

  /** @internal */
  attach(local: Endpoint, transport: MemoryTransport): void {
    const k = key(local);
    if (this.bound.has(k)) throw new TransportError('NET_ADDRESS_IN_USE', `${k} is in use`);
    this.bound.set(k, transport);
  }

  /** @internal */
  detach(local: Endpoint): void {
    this.bound.delete(key(local));
  }

  /** @internal */
  submit(datagram: Datagram): void {
    const copy: Datagram = {
      local: { ...datagram.local },
      remote: { ...datagram.remote },
      bytes: Buffer.from(datagram.bytes),
    };
    this.log.push(copy);
    const fate = this.fault ? this.fault(copy, this.sequence++) : 'deliver';
    if (fate === 'drop') return;
    if (fate === 'hold') {
      this.held.push(copy);
      return;
    }
    this.schedule(copy);
    if (fate === 'duplicate') this.schedule({ ...copy, bytes: Buffer.from(copy.bytes) });
  }

  private schedule(datagram: Datagram): void {
    this.inFlight++;
    setImmediate(() => {
      try {
        const target = this.bound.get(key(datagram.remote));
        // The receiver sees the datagram from its own point of view.
        target?.deliver({ local: datagram.remote, remote: datagram.local, bytes: datagram.bytes });
      } finally {
        this.inFlight--;
        if (this.inFlight === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      }
    });
  }
}

export class MemoryTransport implements DatagramTransport {
  private handler: DatagramHandler | undefined;
  private readonly stats: TransportCounters = { received: 0, sent: 0, keepalives: 0, drops: {} };
  private started = false;

  constructor(
    private readonly network: VirtualNetwork,
    private readonly locals: Endpoint[],
  ) {}

  async start(): Promise<void> {
    for (const local of this.locals) this.network.attach(local, this);
    this.started = true;
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  /** @internal called by the network */
  deliver(datagram: Datagram): void {
    if (!this.started) return;
    if (!this.handler) {
      this.stats.drops['no-receiver'] = (this.stats.drops['no-receiver'] ?? 0) + 1;
      return;
    }
    if (datagram.bytes.length === 1 && datagram.bytes[0] === 0xff) {
      // A NAT-T keepalive, as the UDP transport counts and ignores it.
      this.stats.keepalives++;
      return;
    }
    this.stats.received++;
    try {
      this.handler(datagram);
    } catch {
      this.stats.drops['receiver-error'] = (this.stats.drops['receiver-error'] ?? 0) + 1;
    }
  }

  async send(datagram: Datagram): Promise<void> {
    if (!this.started) throw new TransportError('NET_CLOSED', 'transport is not started or closed');
    if (!this.locals.some((l) => key(l) === key(datagram.local))) {
      throw new TransportError('NET_NO_SOCKET', `not listening on ${formatEndpoint(datagram.local)}`);
    }
    this.stats.sent++;
    this.network.submit(datagram);
  }

  listening(): Endpoint[] {
    return this.locals.map((l) => ({ ...l }));
  }

  counters(): TransportCounters {
    return { ...this.stats, drops: { ...this.stats.drops } };
  }

  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const local of this.locals) this.network.detach(local);
  }
}
