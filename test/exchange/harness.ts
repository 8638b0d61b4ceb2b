// Two IkeEngines in one process, over the in-memory network and kernel
// twins, stepped one datagram at a time: every datagram sent is held in a
// queue until the test delivers (or drops) it, and time only moves when the
// test advances the ManualClock.

import { MemoryBackend } from '../../src/kernel/memory/backend.js';
import { ManualClock } from '../../src/ike/clock.js';
import type { IkeConn } from '../../src/ike/conn.js';
import { IkeEngine } from '../../src/ike/engine.js';
import { decodeHeader } from '../../src/wire/message.js';
import { exchangeTypeName } from '../../src/wire/iana/exchange-types.js';
import { VirtualNetwork, type MemoryTransport } from '../../src/net/memory-transport.js';
import type { Datagram } from '../../src/net/transport.js';
import { Secret } from '../../src/config/secret.js';
import type { SecretsModel } from '../../src/config/secrets.js';
import { Logger } from '../../src/log/logger.js';
import type { UpdownPort } from '../../src/updown/updown-event.js';

export interface Side {
  name: string;
  address: string;
  engine: IkeEngine;
  kernel: MemoryBackend;
  transport: MemoryTransport;
  log: string[];
}

export function pskSecrets(psk: string, ...ids: string[]): SecretsModel {
  return { entries: [{ ids, type: 'PSK', secret: new Secret(psk), source: { file: 'test', line: 1 } }] };
}

/** A NAT in front of `inside`: it appears as `outside`, ports shifted by 10000. */
export interface Nat {
  inside: string;
  outside: string;
}

export class Exchange {
  readonly clock = new ManualClock(Date.now());
  nat?: Nat;
  readonly network = new VirtualNetwork();
  readonly queue: Datagram[] = [];
  private readonly sides = new Map<string, Side>();

  constructor() {
    this.network.setFaultHook((d) => {
      this.queue.push(d);
      return 'drop'; // held here; deliver() hands it over
    });
  }

  async side(name: string, address: string, options: { cookieThreshold?: number; random?: (size: number) => Buffer; updown?: UpdownPort; uniqueIds?: 'yes' | 'no' | 'never' | 'replace' | 'keep' } = {}): Promise<Side> {
    const transport = this.network.endpoint([
      { address, port: 500 },
      { address, port: 4500 },
    ]);
    await transport.start();
    const kernel = new MemoryBackend();
    const log: string[] = [];
    const logger = new Logger({ sink: { write: (line) => log.push(line) }, timestamps: false });
    const engine = new IkeEngine({ transport, kernel, clock: this.clock, logger, ...options });
    const side: Side = { name, address, engine, kernel, transport, log };
    this.sides.set(address, side);
    return side;
  }

  /** Let every SA finish what it is doing (no time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await Promise.all([...this.sides.values()].map((s) => s.engine.settled()));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** "IKE_SA_INIT request 192.0.2.1 -> 192.0.2.2" for each queued datagram. */
  describe(): string[] {
    return this.queue.map(label);
  }

  /** Deliver the oldest queued datagram to its destination and let it be handled. */
  async deliver(): Promise<string> {
    let d = this.queue.shift();
    if (!d) throw new Error('nothing queued');
    const nat = this.nat;
    if (nat && d.local.address === nat.inside) d = { ...d, local: { address: nat.outside, port: d.local.port + 10000 } };
    if (nat && d.remote.address === nat.outside) d = { ...d, remote: { address: nat.inside, port: d.remote.port - 10000 } };
    this.sides.get(d.remote.address)?.transport.deliver({ local: d.remote, remote: d.local, bytes: d.bytes });
    await this.settle();
    return label(d);
  }

  /** Drop the oldest queued datagram (packet loss). */
  drop(): string {
    const d = this.queue.shift();
    if (!d) throw new Error('nothing queued');
    return label(d);
  }

  /** Deliver until nothing is queued; returns what went over the wire. */
  async run(limit = 20): Promise<string[]> {
    const seen: string[] = [];
    while (this.queue.length > 0 && seen.length < limit) seen.push(await this.deliver());
    return seen;
  }

  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }
}

function label(d: Datagram): string {
  const h = decodeHeader(d.bytes);
  if (!h.ok) return `malformed ${d.local.address} -> ${d.remote.address}`;
  const kind = h.value.flags.response ? 'response' : 'request';
  const port = (e: { port: number }) => (e.port === 500 ? '' : `[${e.port}]`);
  return `${exchangeTypeName(h.value.exchangeType)} ${kind} ${d.local.address}${port(d.local)} -> ${d.remote.address}${port(d.remote)}`;
}

export type { IkeConn };
