// IkeEngine: the IKE core behind the daemon's Engine seam. It owns the
// conns and secrets in force, the SaManager, and the one Executor; it turns
// SA events into `ipsec up` results and log lines. Built by the daemon's
// composition root from a transport, a kernel backend, a clock and a logger.

import { randomBytes } from 'node:crypto';
import type { ConfigModel } from '../config/model.js';
import type { SecretsModel } from '../config/secrets.js';
import type { Engine, ReloadReport, RouteResult, StatusSnapshot, UpResult } from '../daemon/engine.js';
import type { KernelBackend, KernelEvent } from '../kernel/backend.js';
import type { Logger } from '../log/logger.js';
import type { DatagramTransport, Endpoint } from '../net/transport.js';
import { formatEndpoint } from '../net/transport.js';
import { SystemClock, type Clock } from './clock.js';
import type { IkeConn } from './conn.js';
import { connFromConfig } from './conn-from-config.js';
import { changedSettings, sameConn } from './conn-diff.js';
import { decideUniqueness, type UniqueIds } from './uniqueness.js';
import { CredentialStore } from './credentials.js';
import type { SaEvent } from './effects.js';
import { Executor } from './executor.js';
import type { IkeSa } from './ike-sa.js';
import { familyOf } from './ip.js';
import { SaManager, type InitLimits } from './sa-manager.js';
import { routeSourceAddress } from './source-address.js';
import { findPsk } from './secret-lookup.js';
import { connStatus, ikeSaStatus, kernelCounters, type Counters } from './status.js';
import { countChildPackets, countInboundPackets, DPD_DEAD_CODE } from './dpd.js';
import { KernelMappings } from './nat/kernel-mapping.js';
import type { TaskEnv } from './tasks/task.js';
import { OnDemand } from './on-demand.js';
import type { TrapChange } from './traps.js';
import type { UpdownPort } from '../updown/updown-event.js';
import { childUpdownEvent, routeUpdownEvent } from './updown-events.js';
import type { ChildSaParams } from './child-params.js';

export interface IkeEngineOptions {
  transport: DatagramTransport;
  kernel: KernelBackend;
  clock?: Clock;
  logger?: Logger;
  random?: (size: number) => Buffer;
  version?: string;
  /** Accept MODP 768/1024/1536 when a conn's ike=/esp= names them. */
  allowWeakGroups?: boolean;
  /** The ipsec.d folder (cacerts/, certs/, private/); default /etc/ipsec.d. */
  ipsecDir?: string;
  /** Half-open IKE SAs at which IKE_SA_INIT needs a COOKIE first (default 1000, 0 = always). */
  cookieThreshold?: number;
  /**
   * Source address routing picks towards a peer, for left=%any conns
   * (default: ask the kernel's routing with a connected UDP socket).
   */
  routeSource?: (remote: string) => Promise<string | undefined>;
  /** config setup uniqueids= until a config model says otherwise (default yes). */
  uniqueIds?: UniqueIds;
  /** How long shutdown() waits for peers to answer our Deletes. */
  shutdownGraceMs?: number;
  /** A conn's trap policies went into or out of the kernel (the updown route/unroute hook). */
  onTrapChange?: (change: TrapChange) => void;
  /** Runs leftupdown scripts / leftfirewall rules for CHILD SA up/down and route/unroute. */
  updown?: UpdownPort;
}

type Waiter = (result: UpResult) => void;

export class IkeEngine implements Engine {
  private conns = new Map<string, IkeConn>();
  private secrets: SecretsModel = { entries: [] };
  private credentials: CredentialStore;
  private readonly reqids = new Map<string, number>();
  private readonly manager: SaManager;
  private readonly waiters = new Map<number, Waiter>();
  private readonly drops: Record<string, number> = {};
  private readonly clock: Clock;
  private readonly random: (size: number) => Buffer;
  private readonly startedAt: Date;
  private counters: Counters = new Map();
  private nextChild = 1;
  /** config setup uniqueids= (uniqueness.ts). */
  private uniqueIds: UniqueIds;
  /** New IKE SA id -> the id of the SA it reauthenticates. */
  private readonly reauthOf = new Map<number, number>();
  /** auto=route, `ipsec route`, dpdaction/closeaction=hold (on-demand.ts). */
  private readonly onDemand: OnDemand;

  constructor(private readonly options: IkeEngineOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.uniqueIds = options.uniqueIds ?? 'yes';
    this.random = options.random ?? randomBytes;
    this.startedAt = this.clock.wallTime();
    this.credentials = new CredentialStore(options.ipsecDir ?? '/etc/ipsec.d', this.secrets);
    this.onDemand = new OnDemand({
      kernel: options.kernel,
      conn: (name) => this.conns.get(name),
      reqidFor: (conn) => this.reqidFor(conn),
      localAddress: async (conn) => (await this.localEndpoint(conn)).address,
      sas: () => this.manager.all(),
      up: (name) => this.up(name),
      log: (level, message, conn) => this.log(level, message, conn),
      changed: (change) => this.onTrapChange(change),
    });
    const executor = new Executor({
      kernel: options.kernel,
      traps: this.onDemand.traps.table,
      send: (local, remote, bytes) => options.transport.send({ local, remote, bytes: Buffer.from(bytes) }),
      emit: (event) => this.onEvent(event),
      childFlow: (phase, child, ikeSaId) => this.onChildFlow(phase, child, ikeSaId),
    });
    const env: TaskEnv = {
      random: (n) => this.random(n),
      conns: () => [...this.conns.values()],
      psk: (local, peer) => findPsk(this.secrets, local, peer),
      allowWeakGroups: options.allowWeakGroups ?? false,
      credentials: () => this.credentials,
      now: () => this.clock.wallTime(),
      nextChildId: () => this.nextChild++,
      reqidFor: (conn) => this.reqidFor(conn),
      honoursInitialContact: () => this.uniqueIds !== 'never',
      firstContact: (data) => !this.manager.all().some((o) => o.data !== data && !o.destroyed && o.data.remote.address === data.remote.address),
    };
    this.manager = new SaManager({
      executor,
      clock: this.clock,
      env,
      random: this.random,
      reserveSpi: (local, remote, reqid, proto = 'esp', tags = {}) => options.kernel.allocSpi({ src: remote, dst: local, proto, reqid, ...tags }),
      sendRaw: (local, remote, bytes) => options.transport.send({ local, remote, bytes }),
      ...(options.cookieThreshold !== undefined ? { cookieThreshold: options.cookieThreshold } : {}),
      drop: (reason, detail) => {
        this.count(reason);
        // A handler error is our bug, not the peer's doing: say so loudly.
        if (detail) this.log(reason === 'handler-error' ? 'error' : 'debug', `dropped datagram (${reason}): ${detail}`);
      },
      forgotten: (sa) => this.onForgotten(sa),
      reauthenticate: (sa) => this.reauthenticate(sa),
      log: (level, message) => this.log(level, message),
      inboundPackets: (children) => countInboundPackets(options.kernel, children),
      childPackets: (child) => countChildPackets(options.kernel, child),
    });
    options.transport.onDatagram((d) => this.manager.handle(d));
    this.kernelEvents = options.kernel.subscribe((event) => this.onKernelEvent(event)).catch((err: unknown) => {
      this.log('error', `cannot subscribe to kernel events (expiry will go unnoticed): ${(err as Error).message}`);
      return () => undefined;
    });
  }

  private readonly kernelEvents: Promise<() => void>;
  /** The kernel's NAT MAPPING events, followed by the owning IKE SA. */
  private readonly mappings = new KernelMappings({ sas: () => this.manager.all(), log: (level, message, conn) => this.log(level, message, conn) });

  /**
   * A CHILD SA's lifetime ran out in the kernel. Hard: the kernel already
   * removed that SA, so the pair is deleted with the peer (and the rest of
   * its kernel state removed). Soft (bytes/packets, or the time backstop
   * behind our own rekey timer): rekey it now, unless rekey=no.
   */
  private onKernelEvent(event: KernelEvent): void {
    if (event.type === 'acquire') return this.onDemand.acquire(event);
    if (event.type === 'mapping') return this.mappings.handle(event);
    if (event.type !== 'expire') return;
    for (const sa of this.manager.all()) {
      const child = sa.data.children.find(
        (c) => c.state.is('INSTALLED') && ((c.params.spiIn === event.sa.spi && c.params.localAddress === event.sa.dst) || (c.params.spiOut === event.sa.spi && c.params.remoteAddress === event.sa.dst)),
      );
      if (!child) continue;
      const name = sa.data.conn?.name;
      if (!event.hard) {
        if (sa.data.conn?.rekey === false) {
          this.log('info', `CHILD SA ${child.params.spiIn.toString(16)} reached its soft lifetime; rekey=no, so it ends at the hard one unless the peer rekeys it`, name);
          return;
        }
        this.log('info', `CHILD SA ${child.params.spiIn.toString(16)} reached its soft lifetime; rekeying it`, name);
        void sa.rekeyChild(child.id);
        return;
      }
      this.log('info', `CHILD SA ${child.params.spiIn.toString(16)} expired; deleting it with the peer`, name);
      void sa.deleteChild(child.id);
      return;
    }
  }

  // ------------------------------------------------------------ Engine

  async load(config: unknown, secrets: unknown): Promise<ReloadReport> {
    const model = config as ConfigModel;
    this.uniqueIds = model.setup?.uniqueIds ?? this.options.uniqueIds ?? 'yes';
    if (model.setup) {
      this.setInitLimits({
        cookieThreshold: model.setup.ddosIkeThreshold,
        halfOpenLimit: model.setup.maxHalfOpenIke,
        cookieSecretLifetimeMs: model.setup.cookieSecretLifetime * 1000,
      });
    }
    const conns = (model.conns ?? []).filter((c) => c.keyExchange !== 'ikev1').map(connFromConfig);
    return this.loadConns(conns, (secrets as SecretsModel | undefined) ?? { entries: [] });
  }

  /** COOKIE threshold, half-open limit and COOKIE secret lifetime (config setup; tests). */
  setInitLimits(limits: Partial<InitLimits>): void {
    this.manager.configure(limits);
  }

  /**
   * Apply IkeConns directly (tests, and load() after conversion). Conns are
   * compared by meaning (conn-diff.ts): unchanged ones keep their SAs
   * untouched; removed ones are deleted with the peer; changed ones are
   * deleted and negotiated again when they are auto=start or were up
   * before (and can initiate). The kernel state of a torn-down conn is gone
   * when this resolves; the peers' answers to our Deletes are not awaited.
   */
  async loadConns(conns: IkeConn[], secrets: SecretsModel, credentials?: CredentialStore): Promise<ReloadReport> {
    const before = this.conns;
    const after = new Map(conns.map((c) => [c.name, c]));
    const report: ReloadReport = { added: [], removed: [], changed: [], unchanged: [] };
    for (const [name, conn] of after) {
      const old = before.get(name);
      if (!old) report.added.push(name);
      else if (sameConn(old, conn)) report.unchanged.push(name);
      else {
        report.changed.push(name);
        this.log('info', `conn '${name}' changed (${changedSettings(old, conn).join(', ')}); its SAs are replaced`, name);
      }
    }
    for (const name of before.keys()) if (!after.has(name)) report.removed.push(name);
    const wasUp = new Set(report.changed.filter((name) => this.upSa(name)));
    this.conns = after;
    this.applySecrets(secrets, credentials);
    await this.onDemand.unrouteAll([...report.removed, ...report.changed]);
    await Promise.all([...report.removed, ...report.changed].map((name) => this.tearDown(name)));
    await this.onDemand.routeAuto([...report.added, ...report.changed]);
    for (const name of [...report.added, ...report.changed]) {
      const conn = after.get(name)!;
      if (conn.auto === 'start' || (wasUp.has(name) && familyOf(conn.remoteAddress))) void this.up(name);
    }
    return report;
  }

  /**
   * `ipsec rereadsecrets`: new PSKs and private keys for the next
   * authentication; no SA is touched.
   */
  async reloadSecrets(secrets: unknown): Promise<void> {
    this.applySecrets((secrets as SecretsModel | undefined) ?? { entries: [] });
  }

  private applySecrets(secrets: SecretsModel, credentials?: CredentialStore): void {
    this.secrets = secrets;
    this.credentials = credentials ?? new CredentialStore(this.options.ipsecDir ?? '/etc/ipsec.d', secrets);
    for (const problem of this.credentials.problems) this.log('error', problem);
    for (const warning of this.credentials.warnings) this.log('warn', warning);
  }

  /** The conn's established IKE SA with an installed CHILD SA, if it is up. */
  private upSa(name: string): IkeSa | undefined {
    return this.manager.all().find((sa) => sa.data.conn?.name === name && sa.data.state.is('ESTABLISHED') && sa.data.children.some((c) => c.state.is('INSTALLED')));
  }

  /** An established IKE SA of the conn, not being replaced, with no CHILD SA installed or on its way. */
  private childlessSa(name: string): IkeSa | undefined {
    return this.manager
      .all()
      .find((sa) => sa.data.conn?.name === name && sa.data.state.is('ESTABLISHED') && !sa.isSuperseded && !sa.data.children.some((c) => c.state.is('INSTALLING', 'INSTALLED')));
  }

  /** Delete the conn's SAs with the peer; resolves once their kernel state is gone. */
  private async tearDown(name: string): Promise<void> {
    await Promise.all(this.manager.all().filter((sa) => sa.data.conn?.name === name).map((sa) => sa.delete()));
  }

  async up(name: string): Promise<UpResult> {
    const conn = this.conns.get(name);
    if (!conn) return { ok: false, error: `no conn named '${name}' is loaded` };
    if (!familyOf(conn.remoteAddress)) {
      return { ok: false, error: `conn '${name}' has right=${conn.remoteAddress}: it can only answer, not initiate (set right= to the peer's address)` };
    }
    const existing = this.upSa(name);
    if (existing) return { ok: true, ikeSa: ikeSaStatus(existing, this.counters) };
    // An IKE SA of the conn whose CHILD SA is gone (the peer deleted it, or
    // it expired) gets a new one with CREATE_CHILD_SA: no new IKE SA.
    const childless = this.childlessSa(name);
    if (childless) {
      const added = await childless.addChild();
      if (added.ok) return { ok: true, ikeSa: ikeSaStatus(childless, this.counters) };
      this.log('info', `conn '${name}': no CHILD SA on the existing IKE SA (${added.error}); negotiating a new IKE SA`, name);
    }
    const tries = conn.keyingTries > 0 ? conn.keyingTries : Number.POSITIVE_INFINITY;
    let result: UpResult = { ok: false, error: 'not attempted' };
    for (let attempt = 1; attempt <= tries; attempt++) {
      result = await this.attempt(conn);
      if (result.ok || !result.error?.includes('did not answer')) return result;
      this.log('info', `conn '${name}': attempt ${attempt} of ${conn.keyingTries || '%forever'} timed out`);
    }
    return result;
  }

  async down(name: string): Promise<void> {
    const sas = this.manager.all().filter((sa) => sa.data.conn?.name === name);
    await Promise.all(sas.map(async (sa) => {
      await sa.delete();
      await sa.closed;
    }));
  }

  async rekey(name: string, options: { ike: boolean }): Promise<number> {
    if (!this.conns.has(name)) throw Object.assign(new Error(`no conn named '${name}' is loaded`), { code: 'UNKNOWN_CONN' });
    const sas = this.manager.all().filter((sa) => sa.data.conn?.name === name && sa.data.state.is('ESTABLISHED') && !sa.isSuperseded);
    if (sas.length === 0) throw Object.assign(new Error(`conn '${name}' has no established IKE SA to rekey`), { code: 'NOT_ESTABLISHED' });
    const started = await Promise.all(sas.map((sa) => (options.ike ? sa.rekeyIke() : sa.rekeyChildren())));
    return started.reduce((a, b) => a + b, 0);
  }

  route(name: string): Promise<RouteResult> {
    return this.onDemand.route(name);
  }

  unroute(name: string): Promise<RouteResult> {
    return this.onDemand.unroute(name);
  }

  status(conn?: string): StatusSnapshot {
    const ikeSas = this.manager
      .all()
      .filter((sa) => !conn || sa.data.conn?.name === conn)
      .map((sa) => ikeSaStatus(sa, this.counters));
    return {
      daemon: {
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        version: this.options.version ?? '0.0.0',
        listening: this.options.transport.listening().map(formatEndpoint),
      },
      conns: [...this.conns.values()].filter((c) => !conn || c.name === conn).map((c) => connStatus(c, this.onDemand.trapOf(c.name))),
      ikeSas,
      drops: { ...this.drops, ...this.transportDrops() },
      ikeSaInit: this.manager.initLoad(),
    };
  }

  /** status() with byte/packet counters read from the kernel first. */
  async statusWithCounters(conn?: string): Promise<StatusSnapshot> {
    this.counters = await kernelCounters(this.options.kernel);
    return this.status(conn);
  }

  async shutdown(): Promise<void> {
    (await this.kernelEvents)();
    // Traps first: the SAs' removal then leaves no trap in their place.
    await this.onDemand.traps.removeAll();
    const sas = this.manager.all();
    await Promise.all(sas.map((sa) => sa.delete()));
    const grace = this.options.shutdownGraceMs ?? 2000;
    await Promise.race([
      Promise.all(sas.map((sa) => sa.closed)),
      new Promise<void>((resolve) => this.clock.setTimer(grace, resolve)),
    ]);
    await Promise.all(this.manager.all().map((sa) => sa.abandon('shutdown')));
    await this.options.kernel.flush();
    // down-client scripts of the SAs just deleted run now (bounded), then the firewall table goes.
    await this.options.updown?.close();
  }

  /** Conns whose trap is in the kernel, as they were when routed (unroute after a reload still has them). */
  private readonly routedConns = new Map<string, IkeConn>();

  private onTrapChange(change: TrapChange): void {
    this.options.onTrapChange?.(change);
    const conn = change.verb === 'route' ? this.conns.get(change.trap.conn) : this.routedConns.get(change.trap.conn);
    if (change.verb === 'route' && conn) this.routedConns.set(conn.name, conn);
    else this.routedConns.delete(change.trap.conn);
    const event = conn && routeUpdownEvent(change.verb, conn, change.trap);
    if (event) this.options.updown?.notify(event);
  }

  private onChildFlow(phase: 'up' | 'down', child: ChildSaParams, ikeSaId: number): void {
    const sa = this.manager.get(ikeSaId);
    const event = sa && childUpdownEvent(phase, child, sa.data);
    if (event) this.options.updown?.notify(event);
  }

  // ------------------------------------------------------------ helpers

  /** Resolves once every SA has handled everything queued so far (tests). */
  settled(): Promise<void> {
    return this.manager.idle();
  }

  /** The live IKE SAs (tests, diagnostics). */
  sas(): IkeSa[] {
    return this.manager.all();
  }

  private async attempt(conn: IkeConn): Promise<UpResult> {
    const local = await this.localEndpoint(conn);
    const remote: Endpoint = { address: conn.remoteAddress, port: conn.remotePort ?? 500 };
    const sa = this.manager.create(conn, local, remote);
    const done = new Promise<UpResult>((resolve) => this.waiters.set(sa.id, resolve));
    void sa.initiate();
    return done;
  }

  /** left=, or for %any the address routing picks towards the peer, if we listen on it. */
  private async localEndpoint(conn: IkeConn): Promise<Endpoint> {
    const port = conn.localPort ?? 500;
    if (familyOf(conn.localAddress)) return { address: conn.localAddress, port };
    const family = familyOf(conn.remoteAddress);
    const listening = this.options.transport.listening().filter((e) => e.port === port && familyOf(e.address) === family);
    const routed = await (this.options.routeSource ?? routeSourceAddress)(conn.remoteAddress);
    const match = listening.find((e) => e.address === routed) ?? listening.find((e) => !isUnspecified(e.address));
    return { address: match?.address ?? routed ?? (family === 6 ? '::' : '0.0.0.0'), port };
  }

  private reqidFor(conn: IkeConn): number {
    let reqid = this.reqids.get(conn.name);
    if (reqid === undefined) {
      reqid = this.options.kernel.reqidRange.base + 1 + this.reqids.size;
      this.reqids.set(conn.name, reqid);
    }
    return reqid;
  }

  private onEvent(event: SaEvent): void {
    const sa = this.manager.get(event.ikeSaId);
    const name = sa?.data.conn?.name;
    const waiter = this.waiters.get(event.ikeSaId);
    switch (event.type) {
      case 'log':
        this.log(event.level, event.message, name);
        return;
      case 'ike-failed':
        this.log('error', event.error, name);
        waiter?.({ ok: false, error: event.error });
        this.waiters.delete(event.ikeSaId);
        if (event.code === DPD_DEAD_CODE && name && sa?.data.conn?.dpdAction === 'restart' && this.conns.has(name)) {
          this.log('info', `dpdaction=restart: negotiating conn '${name}' again`, name);
          void this.up(name);
        }
        return;
      case 'child-failed':
        this.log('error', event.error, name);
        waiter?.({ ok: false, error: event.error, ...(sa ? { ikeSa: ikeSaStatus(sa) } : {}) });
        this.waiters.delete(event.ikeSaId);
        return;
      case 'child-installed':
        this.log('info', `CHILD SA installed`, name);
        if (waiter && sa) {
          // The executor's report is folded into the SA when the current
          // mailbox job ends; answer after that, so the status shows the child.
          this.waiters.delete(event.ikeSaId);
          void sa.idle().then(() => waiter({ ok: true, ikeSa: ikeSaStatus(sa, this.counters) }));
        }
        return;
      case 'children-closing':
        if (sa) this.onDemand.closing(sa, event.cause, event.conns);
        return;
      case 'ike-established':
        // After the current job, so the new SA's CHILD SA is installed first.
        if (sa) void sa.idle().then(() => this.enforceUniqueness(sa));
        return;
      case 'ike-deleted':
        this.log('info', `IKE SA ${event.reason}`, name);
        return;
      default:
        return;
    }
  }

  /**
   * reauth=yes at IKE rekey time: a new IKE SA with its CHILD SA is
   * negotiated from scratch (new keys, new authentication, no
   * INITIAL_CONTACT since the old SA still exists); once its CHILD SA is in
   * the kernel (sharing the conn's policies), the old IKE SA is deleted
   * with its CHILD SAs. No moment without an installed CHILD SA. Returns
   * false when this end cannot initiate (right=%any): the SA is rekeyed.
   */
  private reauthenticate(old: IkeSa): boolean {
    const conn = old.data.conn;
    if (!conn || !familyOf(conn.remoteAddress) || !this.conns.has(conn.name)) return false;
    void (async () => {
      this.log('info', `reauthenticating IKE SA ${old.data.spiI.toString('hex')}_i: a new IKE SA replaces it (make-before-break)`, conn.name);
      const local = await this.localEndpoint(conn);
      const sa = this.manager.create(conn, local, { address: conn.remoteAddress, port: conn.remotePort ?? 500 });
      this.reauthOf.set(sa.id, old.id);
      const done = new Promise<UpResult>((resolve) => this.waiters.set(sa.id, resolve));
      void sa.initiate();
      const result = await done;
      if (!result.ok) {
        this.reauthOf.delete(sa.id);
        this.log('warn', `reauthentication failed (${result.error}); the old IKE SA stays, next attempt in ${REAUTH_RETRY_MS / 1000} s`, conn.name);
        old.retryReauthIn(REAUTH_RETRY_MS);
        return;
      }
      await old.delete();
      await old.closed;
      this.reauthOf.delete(sa.id);
      this.log('info', `IKE SA reauthenticated: ${sa.data.spiI.toString('hex')}_i replaces ${old.data.spiI.toString('hex')}_i`, conn.name);
    })();
    return true;
  }

  /** uniqueids= and simultaneous initiation (uniqueness.ts): delete what the rule says goes. */
  private enforceUniqueness(sa: IkeSa): void {
    if (sa.destroyed || !sa.data.state.is('ESTABLISHED')) return;
    const others = this.manager.withSameIdentities(sa).filter((o) => !o.destroyed && !this.reauthPair(o, sa)).map((o) => o.data);
    const decision = decideUniqueness(sa.data, others, this.uniqueIds);
    for (const reason of decision.reasons) this.log('info', reason, sa.data.conn?.name);
    for (const going of decision.delete) void this.manager.get(going.id)?.delete();
    for (const going of decision.deleteLater) {
      this.clock.setTimer(REAUTH_GRACE_MS, () => {
        const old = this.manager.get(going.id);
        if (old && old.data.state.is('ESTABLISHED')) void old.delete();
      });
    }
  }

  /** A reauthentication's successor and the SA it replaces are not duplicates. */
  private reauthPair(a: IkeSa, b: IkeSa): boolean {
    return this.reauthOf.get(a.id) === b.id || this.reauthOf.get(b.id) === a.id;
  }

  private onForgotten(sa: IkeSa): void {
    const waiter = this.waiters.get(sa.id);
    if (waiter) waiter({ ok: false, error: sa.data.failure?.message ?? 'IKE SA closed before it was established' });
    this.waiters.delete(sa.id);
  }

  private count(reason: string): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  private transportDrops(): Record<string, number> {
    const drops = (this.options.transport.counters() as { drops?: Record<string, number> }).drops;
    const out: Record<string, number> = {};
    if (drops && typeof drops === 'object') for (const [k, v] of Object.entries(drops)) out[`net-${k}`] = v;
    return out;
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, conn?: string): void {
    const logger = this.options.logger?.for('ike', conn);
    if (!logger) return;
    if (level === 'error') logger.error(message);
    else if (level === 'warn') logger.warn(message);
    else if (level === 'info') logger.info(message);
    else logger.debug(message);
  }
}

/**
 * Pause after a failed reauthentication before the next one. Without a
 * retry the old IKE SA would never be rekeyed again; its CHILD SAs keep
 * rekeying on it meanwhile, so traffic is not at stake, only key age.
 */
const REAUTH_RETRY_MS = 30_000;

/** How long a reauthenticating peer has to delete its old IKE SA before uniqueids=yes does it. */
const REAUTH_GRACE_MS = 10_000;

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
