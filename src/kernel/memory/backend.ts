// KernelBackend over a MemoryKernel: the twin of ../xfrm/backend.ts for unit
// and exchange tests. Input validation is the xfrm codec's own (pure
// functions), so both reject the same input with the same error.
import type { Socket } from 'node:dgram';
import type {
  AllocSpiRequest,
  KernelBackend,
  KernelEventListener,
  LifetimeConfig,
  OwnershipOptions,
  PolicyHandle,
  PolicyRef,
  PolicySpec,
  PolicyState,
  RouteSpec,
  SaAlgorithmNames,
  SaId,
  SaSpec,
  SaState,
} from '../backend.js';
import {
  DEFAULT_REQID_BASE,
  DEFAULT_REQID_COUNT,
  DEFAULT_ROUTE_TABLE,
  KernelError,
} from '../backend.js';
import { canonicalAddress, canonicalPrefix, familyOf, parsePrefix } from '../address.js';
import { anySelector, normalizeSelector } from '../selector.js';
import { encodePolicy, encodePolicyId } from '../xfrm/policy-codec.js';
import { wipeKeys } from '../xfrm/fields.js';
import { encodeAllocSpi, encodeSa } from '../xfrm/sa-codec.js';
import { MemoryKernel, policyKey, saKey } from './kernel.js';

const hex = (spi: number): string => `0x${spi.toString(16).padStart(8, '0')}`;

function normalizeLifetime(l: LifetimeConfig | undefined): LifetimeConfig {
  const out: LifetimeConfig = {};
  for (const [k, v] of Object.entries(l ?? {}) as [keyof LifetimeConfig, number | undefined][]) {
    if (v === undefined) continue;
    if (k.endsWith('Seconds') && v === 0) continue;
    out[k] = v;
  }
  return out;
}

function algorithmNames(sa: SaSpec): SaAlgorithmNames {
  const a = sa.algorithms;
  const out: SaAlgorithmNames = {};
  if (a.aead) out.aead = { name: a.aead.name, keyBits: a.aead.key.length * 8, icvBits: a.aead.icvBits };
  if (a.crypt) out.crypt = { name: a.crypt.name, keyBits: a.crypt.key.length * 8 };
  if (a.auth) out.auth = { name: a.auth.name, keyBits: a.auth.key.length * 8, truncBits: a.auth.truncBits };
  return out;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

export class MemoryBackend implements KernelBackend {
  readonly reqidRange: { base: number; count: number };
  private readonly routeTable: number;
  private readonly policyOwner: number;
  private readonly unlisten = new Set<() => void>();
  /** Sockets exempted from policies / with ESP-in-UDP decapsulation (for tests to inspect). */
  readonly bypassed = new Set<Socket>();
  readonly udpEncap = new Set<Socket>();
  private closed = false;

  constructor(
    readonly kernel: MemoryKernel = new MemoryKernel(),
    options: OwnershipOptions = {},
  ) {
    this.reqidRange = { base: options.reqidBase ?? DEFAULT_REQID_BASE, count: options.reqidCount ?? DEFAULT_REQID_COUNT };
    this.routeTable = options.routeTable ?? DEFAULT_ROUTE_TABLE;
    this.policyOwner = this.reqidRange.base;
  }

  private owns(reqid: number): boolean {
    return reqid >= this.reqidRange.base && reqid < this.reqidRange.base + this.reqidRange.count;
  }

  private requireOwned(reqid: number, what: string): void {
    if (!this.owns(reqid)) {
      const { base, count } = this.reqidRange;
      throw new KernelError(
        'KERNEL_REQID_NOT_OWNED',
        'EINVAL',
        `${what}: reqid ${reqid} is outside nodeswan's range ${base}-${base + count - 1}; flush could not find it later`,
      );
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new KernelError('KERNEL_IO', 'EBADF', 'kernel backend is closed');
  }

  async allocSpi(req: AllocSpiRequest): Promise<number> {
    this.checkOpen();
    this.requireOwned(req.reqid, 'allocSpi');
    encodeAllocSpi(req);
    const min = req.min ?? 0x100;
    const max = req.max ?? 0xffffffff;
    const family = familyOf(req.dst);
    for (let attempt = 0; attempt < Math.min(max - min + 1, 1_000_000); attempt++) {
      const spi = min === max ? min : min + Math.floor(Math.random() * (max - min + 1));
      const id: SaId = { dst: req.dst, spi, proto: req.proto, ...(req.mark ? { mark: req.mark } : {}) };
      const key = saKey(id);
      if (this.kernel.sas.has(key)) continue;
      const state: SaState = {
        dst: canonicalAddress(req.dst),
        spi,
        proto: req.proto,
        src: canonicalAddress(req.src),
        mode: req.mode ?? 'transport',
        reqid: req.reqid,
        algorithms: {},
        esn: false,
        replayWindow: 0,
        lifetime: { hardAddSeconds: 30 },
        current: { bytes: 0, packets: 0, addTime: this.kernel.now(), useTime: 0 },
        stats: { replayWindow: 0, replay: 0, integrityFailed: 0 },
        selector: anySelector(family),
        larval: true,
      };
      if (req.mark) state.mark = req.mark;
      if (req.ifId) state.ifId = req.ifId;
      this.kernel.sas.set(key, { state, timers: [] });
      this.kernel.armLifetimes(key);
      return spi;
    }
    throw new KernelError('KERNEL_ENOENT', 'ENOENT', `allocate ${req.proto.toUpperCase()} SPI for ${req.src} -> ${req.dst}: no free SPI in range (ENOENT)`);
  }

  private stateOf(sa: SaSpec): SaState {
    const family = familyOf(sa.dst);
    const state: SaState = {
      dst: canonicalAddress(sa.dst),
      spi: sa.spi >>> 0,
      proto: sa.proto,
      src: canonicalAddress(sa.src),
      mode: sa.mode,
      reqid: sa.reqid,
      algorithms: algorithmNames(sa),
      esn: sa.esn === true,
      replayWindow: sa.replayWindow ?? 0,
      lifetime: normalizeLifetime(sa.lifetime),
      current: { bytes: 0, packets: 0, addTime: this.kernel.now(), useTime: 0 },
      stats: { replayWindow: 0, replay: 0, integrityFailed: 0 },
      selector: sa.selector ? normalizeSelector(sa.selector) : anySelector(family),
      larval: false,
    };
    if (sa.encap) state.encap = { ...sa.encap };
    if (sa.mark) state.mark = { ...sa.mark };
    if (sa.ifId) state.ifId = sa.ifId;
    return state;
  }

  async addSa(sa: SaSpec): Promise<void> {
    this.checkOpen();
    this.requireOwned(sa.reqid, 'addSa');
    wipeKeys(encodeSa(sa).attrs); // validation only
    const key = saKey(sa);
    if (this.kernel.sas.has(key)) {
      throw new KernelError('KERNEL_EEXIST', 'EEXIST', `add ${sa.proto.toUpperCase()} SA spi ${hex(sa.spi)} ${sa.src} -> ${sa.dst}: already exists (EEXIST)`);
    }
    const state = this.stateOf(sa);
    this.kernel.sas.set(key, { state, timers: [] });
    this.kernel.settleAcquire(state);
    this.kernel.armLifetimes(key);
  }

  async updateSa(sa: SaSpec): Promise<void> {
    this.checkOpen();
    this.requireOwned(sa.reqid, 'updateSa');
    wipeKeys(encodeSa(sa).attrs); // validation only
    const key = saKey(sa);
    const action = `update ${sa.proto.toUpperCase()} SA spi ${hex(sa.spi)} ${sa.src} -> ${sa.dst}`;
    const stored = this.kernel.sas.get(key);
    if (!stored) throw new KernelError('KERNEL_ESRCH', 'ESRCH', `${action}: not found (ESRCH)`);
    if (stored.state.larval) {
      stored.state = this.stateOf(sa);
    } else {
      // A valid SA keeps keys and counters; only lifetimes and encapsulation change.
      if (!!stored.state.encap !== !!sa.encap) throw new KernelError('KERNEL_EINVAL', 'EINVAL', `${action}: rejected as invalid (EINVAL)`);
      if (sa.encap) stored.state.encap = { ...sa.encap };
      stored.state.lifetime = normalizeLifetime(sa.lifetime);
    }
    this.kernel.armLifetimes(key);
  }

  async querySa(id: SaId): Promise<SaState> {
    this.checkOpen();
    const stored = this.kernel.sas.get(saKey(id));
    if (!stored) throw new KernelError('KERNEL_ESRCH', 'ESRCH', `query ${id.proto.toUpperCase()} SA spi ${hex(id.spi)} to ${id.dst}: not found (ESRCH)`);
    return copy(stored.state);
  }

  async deleteSa(id: SaId): Promise<void> {
    this.checkOpen();
    if (!this.kernel.removeSa(saKey(id))) {
      throw new KernelError('KERNEL_ESRCH', 'ESRCH', `delete ${id.proto.toUpperCase()} SA spi ${hex(id.spi)} to ${id.dst}: not found (ESRCH)`);
    }
  }

  async listSas(): Promise<SaState[]> {
    this.checkOpen();
    return [...this.kernel.sas.values()].filter((s) => this.owns(s.state.reqid)).map((s) => copy(s.state));
  }

  private install(p: PolicySpec, replace: boolean): PolicyHandle {
    this.checkOpen();
    for (const t of p.templates) this.requireOwned(t.reqid, `${replace ? 'update' : 'add'} policy`);
    encodePolicy(p);
    const key = policyKey(p, this.policyOwner);
    const existing = this.kernel.policies.get(key);
    if (existing && !replace) {
      throw new KernelError('KERNEL_EEXIST', 'EEXIST', `add ${p.dir} policy ${p.selector.src} -> ${p.selector.dst}: already exists (EEXIST)`);
    }
    const index = existing?.index ?? this.kernel.nextPolicyIndex(p.dir);
    const state: PolicyState = {
      dir: p.dir,
      index,
      selector: normalizeSelector(p.selector),
      priority: p.priority,
      action: p.action ?? 'allow',
      templates: p.templates.map((t) => {
        const out = { proto: t.proto, mode: t.mode, reqid: t.reqid } as PolicyState['templates'][number];
        if (t.mode === 'tunnel') {
          out.src = canonicalAddress(t.src!);
          out.dst = canonicalAddress(t.dst!);
        }
        if (t.spi) out.spi = t.spi;
        if (t.optional) out.optional = true;
        return out;
      }),
    };
    const lifetime = normalizeLifetime(p.lifetime);
    if (Object.keys(lifetime).length > 0) state.lifetime = lifetime;
    if (p.mark) state.mark = { ...p.mark };
    if (p.ifId) state.ifId = p.ifId;
    this.kernel.policies.set(key, state);
    this.kernel.policyOwners.set(key, this.policyOwner);
    const handle: PolicyHandle = { dir: p.dir, index };
    if (p.mark) handle.mark = p.mark;
    if (p.ifId !== undefined) handle.ifId = p.ifId;
    return handle;
  }

  async addPolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.install(policy, false);
  }

  async updatePolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.install(policy, true);
  }

  async deletePolicy(ref: PolicyRef): Promise<void> {
    this.checkOpen();
    encodePolicyId(ref);
    let key: string | undefined;
    let action: string;
    if ('index' in ref) {
      action = `delete ${ref.dir} policy index ${ref.index}`;
      key = this.kernel.findPolicyByIndex(ref.dir, ref.index, ref.mark, ref.ifId)?.[0];
    } else {
      action = `delete ${ref.dir} policy ${ref.selector.src} -> ${ref.selector.dst}`;
      key = policyKey(ref, this.policyOwner);
      if (!this.kernel.policies.has(key)) key = undefined;
    }
    const policy = key === undefined ? undefined : this.kernel.policies.get(key);
    if (key === undefined || !policy) throw new KernelError('KERNEL_ENOENT', 'ENOENT', `${action}: not found (ENOENT)`);
    this.kernel.policies.delete(key);
    this.kernel.policyOwners.delete(key);
  }

  async listPolicies(): Promise<PolicyState[]> {
    this.checkOpen();
    return [...this.kernel.policies]
      .filter(([key]) => this.kernel.policyOwners.get(key) === this.policyOwner)
      .map(([, p]) => copy(p));
  }

  async flush(): Promise<{ sas: number; policies: number; routes: number }> {
    const policies = await this.listPolicies();
    const sas = await this.listSas();
    for (const p of policies) await this.deletePolicy({ dir: p.dir, index: p.index, ...(p.mark ? { mark: p.mark } : {}), ...(p.ifId ? { ifId: p.ifId } : {}) });
    for (const [key, stored] of [...this.kernel.sas]) if (this.owns(stored.state.reqid)) this.kernel.removeSa(key);
    const table = this.kernel.routes.get(this.routeTable);
    const routes = table?.size ?? 0;
    this.kernel.routes.delete(this.routeTable);
    return { sas: sas.length, policies: policies.length, routes };
  }

  async bypassSocket(socket: Socket): Promise<void> {
    this.checkOpen();
    socket.address(); // throws if not bound, as the fd lookup does for real
    this.bypassed.add(socket);
  }

  async enableUdpEncap(socket: Socket): Promise<void> {
    this.checkOpen();
    socket.address();
    this.udpEncap.add(socket);
  }

  private checkRoute(route: RouteSpec): string {
    const dst = parsePrefix(route.dst);
    if (familyOf(route.src) !== dst.family || (route.via && familyOf(route.via) !== dst.family)) {
      throw new KernelError('KERNEL_BAD_ADDRESS', 'EINVAL', `route to ${route.dst}: src/via must be of the same family`);
    }
    if (!route.dev && !route.via) throw new KernelError('KERNEL_BAD_ROUTE', 'EINVAL', `route to ${route.dst}: needs dev or via`);
    return canonicalPrefix(route.dst);
  }

  async addRoute(route: RouteSpec): Promise<void> {
    this.checkOpen();
    const key = this.checkRoute(route);
    let table = this.kernel.routes.get(this.routeTable);
    if (!table) this.kernel.routes.set(this.routeTable, (table = new Map()));
    table.set(key, { ...route });
  }

  async deleteRoute(route: RouteSpec): Promise<void> {
    this.checkOpen();
    const key = this.checkRoute(route);
    if (!this.kernel.routes.get(this.routeTable)?.delete(key)) {
      throw new KernelError('KERNEL_ESRCH', 'ESRCH', `delete route to ${route.dst} (table ${this.routeTable}): not found (ESRCH)`);
    }
  }

  /** Routes in this backend's table (the twin's `ip route show table N`). */
  listRoutes(): RouteSpec[] {
    return [...(this.kernel.routes.get(this.routeTable)?.values() ?? [])].map((r) => ({ ...r }));
  }

  async subscribe(listener: KernelEventListener): Promise<() => void> {
    this.checkOpen();
    const off = this.kernel.listen((event) => {
      if (event.type === 'lost') return listener(event);
      const reqid = event.type === 'expire' ? event.sa.reqid : event.reqid;
      if (this.owns(reqid)) listener(event);
    });
    this.unlisten.add(off);
    return () => {
      off();
      this.unlisten.delete(off);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const off of this.unlisten) off();
    this.unlisten.clear();
  }
}
