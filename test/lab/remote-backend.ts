// A KernelBackend whose calls run in a backend driver process inside a
// network namespace (backend-driver.ts). Netlink sockets are per namespace
// and Node cannot setns, so this is how one test drives the real xfrm
// backend on two hosts at once. Errors come back as KernelError with the
// same code/errno; events are forwarded to subscribers.
//
// bypassSocket/enableUdpEncap need a socket in the driver's process: use
// openUdp(), which binds a socket there and applies them, instead.

import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  KernelError,
  type AllocSpiRequest,
  type KernelBackend,
  type KernelEvent,
  type KernelEventListener,
  type OwnershipOptions,
  type PolicyHandle,
  type PolicyRef,
  type PolicySpec,
  type PolicyState,
  type RouteSpec,
  type SaId,
  type SaSpec,
  type SaState,
} from '../../src/kernel/backend.js';
import { decodeLine, encodeLine, type DriverMessage } from './backend-wire.js';
import { exited, spawnIn, stop } from './netns.js';

const driverPath = fileURLToPath(new URL('./backend-driver.ts', import.meta.url));

export interface Datagram {
  address: string;
  port: number;
  data: Uint8Array;
}

/** A UDP socket bound inside the driver's namespace. */
export interface RemoteUdpSocket {
  port: number;
  send(address: string, port: number, data: Uint8Array): Promise<void>;
  /** The next datagram the socket receives (non-ESP traffic when encap is on). */
  receive(): Promise<Datagram>;
  close(): Promise<void>;
}

export class RemoteBackend implements KernelBackend {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Set<KernelEventListener>();
  private stderr = '';
  private exitError: Error | undefined;

  private constructor(
    readonly ns: string,
    private readonly child: ChildProcess,
    readonly reqidRange: { base: number; count: number },
  ) {}

  /** Starts a driver in `ns` and waits until its backend is open. */
  static async start(ns: string, options: OwnershipOptions = {}): Promise<RemoteBackend> {
    const child = spawnIn(ns, [process.execPath, '--import', 'tsx', driverPath], {
      ...process.env,
      NODESWAN_BACKEND_OPTIONS: JSON.stringify(options),
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<void>((resolve, reject) => {
      lines.once('line', (line) => {
        const message = decodeLine(line) as DriverMessage;
        if ('ready' in message) resolve();
        else reject(new Error(`backend driver in ${ns}: unexpected first line ${line}`));
      });
      child.once('exit', (code) => reject(new Error(`backend driver in ${ns} exited (${code}) before it was ready:\n${stderr}`)));
    });
    await ready;
    const remote = new RemoteBackend(ns, child, { base: 0, count: 0 });
    remote.stderr = stderr;
    child.stderr?.on('data', (chunk: string) => (remote.stderr += chunk));
    lines.on('line', (line) => remote.onLine(line));
    child.once('exit', (code) => {
      remote.exitError = new Error(`backend driver in ${ns} exited (${code}):\n${remote.stderr}`);
      for (const p of remote.pending.values()) p.reject(remote.exitError);
      remote.pending.clear();
    });
    const range = (await remote.call('reqidRange')) as { base: number; count: number };
    Object.assign(remote.reqidRange, range);
    return remote;
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    const message = decodeLine(line) as DriverMessage;
    if ('event' in message) {
      for (const listener of this.listeners) listener(message.event as KernelEvent);
      return;
    }
    if (!('id' in message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if ('error' in message) {
      const { name, message: text, code, errno } = message.error;
      pending.reject(
        name === 'KernelError' && code && errno ? new KernelError(code, errno, text) : Object.assign(new Error(text), { code }),
      );
    } else {
      pending.resolve(message.result);
    }
  }

  private call(method: string, ...args: unknown[]): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.child.stdin!.write(encodeLine({ id, method, args }));
    });
  }

  allocSpi(req: AllocSpiRequest): Promise<number> {
    return this.call('allocSpi', req) as Promise<number>;
  }
  async addSa(sa: SaSpec): Promise<void> {
    await this.call('addSa', sa);
  }
  async updateSa(sa: SaSpec): Promise<void> {
    await this.call('updateSa', sa);
  }
  querySa(id: SaId): Promise<SaState> {
    return this.call('querySa', id) as Promise<SaState>;
  }
  async deleteSa(id: SaId): Promise<void> {
    await this.call('deleteSa', id);
  }
  listSas(): Promise<SaState[]> {
    return this.call('listSas') as Promise<SaState[]>;
  }
  addPolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.call('addPolicy', policy) as Promise<PolicyHandle>;
  }
  updatePolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.call('updatePolicy', policy) as Promise<PolicyHandle>;
  }
  async deletePolicy(ref: PolicyRef): Promise<void> {
    await this.call('deletePolicy', ref);
  }
  listPolicies(): Promise<PolicyState[]> {
    return this.call('listPolicies') as Promise<PolicyState[]>;
  }
  flush(): Promise<{ sas: number; policies: number; routes: number }> {
    return this.call('flush') as Promise<{ sas: number; policies: number; routes: number }>;
  }
  bypassSocket(_socket: Socket): Promise<void> {
    return Promise.reject(new Error('RemoteBackend.bypassSocket: the socket must live in the driver; use openUdp(..., { bypass: true })'));
  }
  enableUdpEncap(_socket: Socket): Promise<void> {
    return Promise.reject(new Error('RemoteBackend.enableUdpEncap: the socket must live in the driver; use openUdp(..., { encap: true })'));
  }
  async addRoute(route: RouteSpec): Promise<void> {
    await this.call('addRoute', route);
  }
  async deleteRoute(route: RouteSpec): Promise<void> {
    await this.call('deleteRoute', route);
  }
  async subscribe(listener: KernelEventListener): Promise<() => void> {
    this.listeners.add(listener);
    if (this.listeners.size === 1) await this.call('subscribe');
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.call('unsubscribe').catch(() => {});
    };
  }

  /** Binds a UDP socket in the driver's namespace; `encap` calls enableUdpEncap, `bypass` bypassSocket on it. */
  async openUdp(address: string, port: number, options: { encap?: boolean; bypass?: boolean } = {}): Promise<RemoteUdpSocket> {
    const { handle, port: bound } = (await this.call('udpOpen', address, port, options)) as { handle: number; port: number };
    return {
      port: bound,
      send: async (to, toPort, data) => {
        await this.call('udpSend', handle, to, toPort, data);
      },
      receive: () => this.call('udpReceive', handle) as Promise<Datagram>,
      close: async () => {
        await this.call('udpClose', handle);
      },
    };
  }

  /**
   * Subscribes now (resolving once the subscription is live, so the caller
   * can then trigger the event) and returns the first matching event later.
   */
  async watchEvents(predicate: (event: KernelEvent) => boolean, timeoutMs = 30_000): Promise<{ next: Promise<KernelEvent> }> {
    let resolveEvent!: (event: KernelEvent) => void;
    let rejectEvent!: (error: Error) => void;
    const next = new Promise<KernelEvent>((resolve, reject) => {
      resolveEvent = resolve;
      rejectEvent = reject;
    });
    const unsubscribe = await this.subscribe((event) => {
      if (predicate(event)) resolveEvent(event);
    });
    const timer = setTimeout(() => rejectEvent(new Error(`no matching kernel event within ${timeoutMs} ms in ${this.ns}`)), timeoutMs);
    void next.then(
      () => {},
      () => {},
    );
    return {
      next: next.finally(() => {
        clearTimeout(timer);
        unsubscribe();
      }),
    };
  }

  /** Closes the backend in the driver and ends the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => void stop(this.child), 5000);
    await exited(this.child);
    clearTimeout(timer);
  }
}
