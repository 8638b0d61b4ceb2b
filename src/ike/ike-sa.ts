// One IKE SA at run time: the mailbox that serialises its work, its named
// timers, and the dispatch from (exchange, role, state) to the task that
// handles it. Per inbound datagram:
//
//   1. the message-ID window answers retransmits from its cache (no crypto)
//   2. decrypt SK and decode (drops are counted by reason)
//   3. gather async inputs a task needs (an SPI reserved in the kernel)
//   4. run the synchronous task -> effects
//   5. the executor applies the effects; its report updates the windows
//      and CHILD SA states here.

import type { Endpoint } from '../net/transport.js';
import { ExchangeType } from '../wire/iana/exchange-types.js';
import type { IkeHeader } from '../wire/header.js';
import { findNotify, type Payload } from '../wire/payload.js';
import { checkExchangeRules } from '../wire/exchange-rules.js';
import { PayloadType } from '../wire/iana/payload-types.js';
import { NotifyType } from '../wire/iana/notify-types.js';
import type { IkeMessage } from '../wire/message.js';
import { Reassembly } from './fragments.js';
import { ChildSa } from './child-sa.js';
import type { Clock } from './clock.js';
import { effect, type Effect } from './effects.js';
import type { ExecutionReport, Executor } from './executor.js';
import { forgetHandshake, localSpi, newIkeSaData, type IkeSaData } from './ike-sa-data.js';
import { ikeSaStateMachine } from './ike-sa-state.js';
import type { IkeConn } from './conn.js';
import { Mailbox } from './mailbox.js';
import { openMessage, type OpenFailure } from './protection.js';
import { rejectRequest } from './tasks/reject-request.js';
import { defaultRetransmitPolicy } from './retransmit-policy.js';
import { answerAuth, buildAuthRequest, isPrepared, prepareAuth, processAuthResponse } from './tasks/ike-auth.js';
import { answerInit, buildInitRequest, processInitResponse } from './tasks/ike-init.js';
import { buildDeleteChild, buildDeleteIke, closingEffects, dropChildren, removeChildren } from './tasks/delete.js';
import { answerCreateChild, createChildKind } from './tasks/create-child.js';
import { answerIkeRekey, type Successor } from './tasks/ike-rekey.js';
import { keyIkeSa } from './ike-keys.js';
import { answerInformational } from './tasks/informational.js';
import type { TaskEnv, TaskResult } from './tasks/task.js';
import { SaTimers, type TimerName } from './timers.js';
import { keepaliveEffects, mappingEffects, wantsKeepalives } from './nat/nat-effects.js';
import { NAT_KEEPALIVE_INTERVAL_MS } from './nat/nat-rules.js';
import { afterOurRekey, buildChildRekey, childFromRekeyResponse, type ChildRekeyPending } from './rekey/child-rekey.js';
import { buildChildExchange, childFromExchangeResponse, childProtocolOf, isExchangeFailure, shapeOfConn, type ChildExchangePending, type ChildShape } from './rekey/child-exchange.js';
import { idleChildren, type InactivityMarks } from './inactivity.js';
import { ourRekeyLoses } from './rekey/collision.js';
import { buildIkeRekey, refuseWhileRekeying, successorFromResponse, type IkeRekeyPending } from './rekey/ike-rekey-initiator.js';
import { childRekeyDelayMs, fraction, rekeyDelayMs, retryDelayMs } from './rekey/schedule.js';
import { buildLivenessCheck, DPD_DEAD_CODE, dpdSettings } from './dpd.js';
import { tagsFor, type ChildSaParams } from './child-params.js';
import type { XfrmMark } from '../kernel/backend.js';

/** How long a rekey waits when our request window is busy (another exchange under way). */
const REKEY_BUSY_RETRY_MS = 1000;
/** How long before trying again after the peer refused a rekey (TEMPORARY_FAILURE and the like). */
const REKEY_REFUSED_RETRY_MS = 10_000;

export interface IkeSaPorts {
  executor: Executor;
  clock: Clock;
  env: TaskEnv;
  /** Reserve an inbound SPI in the kernel (allocSpi); rejects on kernel failure. */
  reserveSpi(local: string, remote: string, reqid: number, proto?: 'esp' | 'ah', tags?: { mark?: XfrmMark; ifId?: number }): Promise<number>;
  /** Count a dropped datagram by reason (shown by `ipsec statusall`). */
  drop(reason: string, detail?: string): void;
  /** Forget every other IKE SA between the same identities (INITIAL_CONTACT); resolves once they are gone. */
  replacePeerSas(sa: IkeSa, reason: string): Promise<number>;
  /** The SA is gone; the manager forgets it. */
  destroyed(sa: IkeSa): void;
  /** The SA was established (first time only); the manager indexes it. */
  established?(sa: IkeSa): void;
  /** A fresh IKE SPI of ours (unique among live SAs). */
  newSpi(): Buffer;
  /** Register the IKE SA that replaces `old` after a rekey. */
  succeed(old: IkeSa, successor: Successor): void;
  /**
   * reauth=yes: the engine replaces this IKE SA by a new one (new IKE_SA_INIT
   * and IKE_AUTH, make-before-break) instead of rekeying it; false when it
   * cannot (no peer address to initiate to), and the SA is rekeyed instead.
   */
  reauthenticate?(sa: IkeSa): boolean;
  /** Inbound packets counted by the kernel on these CHILD SAs (DPD); absent = unknown. */
  inboundPackets?(children: ChildSaParams[]): Promise<number>;
  /** Packets counted on one CHILD SA, both directions (inactivity=); undefined = unknown. */
  childPackets?(child: ChildSaParams): Promise<number | undefined>;
}

export interface IkeSaInit {
  id: number;
  initiator: boolean;
  spiI: Buffer;
  spiR: Buffer;
  local: Endpoint;
  remote: Endpoint;
  conn?: IkeConn;
}

/** What addChild() came to. */
export interface ChildAddResult {
  ok: boolean;
  error?: string;
}

export class IkeSa {
  readonly data: IkeSaData;
  private readonly mailbox = new Mailbox();
  private readonly timers: SaTimers;
  /** Inbound SPIs reserved with allocSpi and not (yet) used by an installed CHILD SA. */
  private readonly reservedSpis = new Map<number, 'esp' | 'ah'>();
  private markClosed!: () => void;
  /** Resolves once the SA is destroyed (deleted, failed or abandoned). */
  readonly closed: Promise<void> = new Promise((resolve) => (this.markClosed = resolve));
  /** A fragmented message being collected (RFC 7383). */
  private reassembly?: Reassembly & { response: boolean };
  /** What our outstanding request was for, to route its response. */
  private pendingRequest?: { kind: 'init' | 'auth' | 'delete-ike' | 'delete-child' | 'rekey-child' | 'rekey-ike' | 'add-child' | 'dpd' | 'other'; childId?: number };
  /** Our CHILD SA rekey in flight (its reserved SPI and KE stay with it). */
  private childRekey?: ChildRekeyPending;
  /** Our IKE SA rekey in flight. */
  private ikeRekey?: IkeRekeyPending;
  /** A new CHILD SA of ours in flight (addChild), and who waits for it. */
  private childAdd?: { pending: ChildExchangePending; shape: ChildShape; done: (result: ChildAddResult) => void };
  /** The armed ike-rekey timer retries a rekey already chosen (no reauthentication). */
  private ikeRekeyRetry = false;
  /** A successor IKE SA took over; this one only waits to be deleted. */
  private superseded = false;
  /** Inbound packets at the last liveness look (DPD). */
  private lastInbound = 0;
  /** Packet totals of the CHILD SAs at the last inactivity look. */
  private readonly inactivityMarks: InactivityMarks = new Map();

  constructor(
    init: IkeSaInit,
    private readonly ports: IkeSaPorts,
  ) {
    this.data = newIkeSaData({
      ...init,
      state: ikeSaStateMachine(),
      retransmit: init.conn?.retransmit ?? defaultRetransmitPolicy,
    });
    this.timers = new SaTimers(ports.clock, (name, key) => {
      void this.mailbox.post(() => this.onTimer(name, key)).catch((err: unknown) => ports.drop('handler-error', `timer ${name}: ${(err as Error)?.stack ?? String(err)}`));
    });
  }

  get id(): number {
    return this.data.id;
  }
  get localSpi(): Buffer {
    return localSpi(this.data);
  }
  get destroyed(): boolean {
    return this.data.state.is('DESTROYED');
  }
  /** Resolves when everything queued so far has been handled. */
  idle(): Promise<void> {
    return this.mailbox.idle();
  }

  /**
   * When our next rekey attempt of this IKE SA (or of one of its CHILD SAs)
   * is due, as wall time for status; undefined when none is scheduled
   * (rekey=no, or a rekey is already under way).
   */
  rekeyDue(childId?: number): Date | undefined {
    const at = childId === undefined ? this.timers.dueAt('ike-rekey') : this.timers.dueAt('child-rekey', String(childId));
    if (at === undefined) return undefined;
    return new Date(this.ports.clock.wallTime().getTime() + (at - this.ports.clock.now()));
  }

  // ------------------------------------------------------------ commands

  initiate(): Promise<void> {
    return this.mailbox.post(async () => {
      this.pendingRequest = { kind: 'init' };
      await this.run(buildInitRequest(this.data, this.ports.env));
    });
  }

  /** Delete the IKE SA with the peer (and its CHILD SAs in the kernel). */
  delete(): Promise<void> {
    return this.mailbox.post(async () => {
      const sa = this.data;
      if (sa.state.is('DESTROYED', 'DELETING')) return;
      if (!sa.state.is('ESTABLISHED') || sa.requests.busy) {
        // Nothing to tell a peer that never finished the handshake with us.
        await this.run({ effects: dropChildren(sa), closed: 'deleted locally' });
        return;
      }
      this.pendingRequest = { kind: 'delete-ike' };
      await this.run(buildDeleteIke(sa));
    });
  }

  /** Forget the SA without telling the peer (its kernel state is removed). */
  abandon(reason: string): Promise<void> {
    return this.mailbox.post(async () => {
      if (this.data.state.is('DESTROYED')) return;
      await this.run({ effects: dropChildren(this.data), closed: reason });
    });
  }

  deleteChild(childId: number): Promise<void> {
    return this.mailbox.post(async () => {
      const child = this.data.children.find((c) => c.id === childId && c.state.is('INSTALLED'));
      if (!child || this.data.requests.busy || !this.data.state.is('ESTABLISHED')) return;
      this.pendingRequest = { kind: 'delete-child', childId };
      await this.run(buildDeleteChild(this.data, child));
    });
  }

  /** A successor took over after an IKE SA rekey; this one only waits to be deleted. */
  get isSuperseded(): boolean {
    return this.superseded;
  }

  /** `ipsec rekey NAME`: rekey every installed CHILD SA now; resolves with how many were started. */
  rekeyChildren(): Promise<number> {
    return this.mailbox.post(async () => {
      let started = 0;
      for (const child of this.data.children.filter((c) => c.state.is('INSTALLED'))) {
        if (await this.startChildRekey(child.id)) started++;
      }
      return started;
    });
  }

  /** `ipsec rekey NAME --ike`: rekey the IKE SA now; resolves with 1 if a rekey was started (or queued behind a busy window). */
  rekeyIke(): Promise<number> {
    return this.mailbox.post(async () => ((await this.startIkeRekey()) ? 1 : 0));
  }

  /**
   * A reauthentication of this SA failed: the SA stays and the next attempt
   * comes after `ms` (through the ike-rekey timer, so it is a
   * reauthentication again), unless the SA has gone or was replaced.
   */
  retryReauthIn(ms: number): void {
    void this.mailbox.post(async () => {
      if (this.superseded || this.ikeRekey || !this.data.state.is('ESTABLISHED')) return;
      this.timers.arm('ike-rekey', ms);
    });
  }

  /**
   * A new CHILD SA for the conn on this established IKE SA, which carries
   * none (the peer deleted it, or it expired): CREATE_CHILD_SA without
   * REKEY_SA, no new IKE SA. Refused while another exchange of ours is in
   * flight; the caller then negotiates a new IKE SA instead.
   */
  async addChild(): Promise<ChildAddResult> {
    // The answer arrives through the mailbox too: wait for it outside the job that sends the request.
    const started = await this.mailbox.post(async (): Promise<ChildAddResult | { answer: Promise<ChildAddResult> }> => {
      const sa = this.data;
      if (!sa.state.is('ESTABLISHED') || this.superseded || !sa.conn) return { ok: false, error: 'the IKE SA is not established' };
      if (sa.requests.busy || this.childRekey || this.ikeRekey || this.childAdd) return { ok: false, error: 'the IKE SA is busy with another exchange' };
      const spiIn = await this.reserve(sa.conn);
      if (spiIn === undefined) return { ok: false, error: 'the kernel could not reserve an SPI' };
      const shape = shapeOfConn(sa.conn, sa.local.address, sa.remote.address);
      const built = buildChildExchange(sa, this.ports.env, shape, spiIn);
      if ('code' in built) return { ok: false, error: built.message };
      const answer = new Promise<ChildAddResult>((resolve) => (this.childAdd = { pending: built.pending, shape, done: resolve }));
      this.pendingRequest = { kind: 'add-child' };
      await this.run({ effects: [...built.effects, effect.log(sa.id, 'info', `creating a CHILD SA for conn '${sa.conn.name}' on the existing IKE SA`)] });
      return { answer };
    });
    return 'answer' in started ? started.answer : started;
  }

  private async onChildAddResponse(payloads: Payload[]): Promise<void> {
    const sa = this.data;
    const adding = this.childAdd;
    this.childAdd = undefined;
    if (!adding) return;
    const result = childFromExchangeResponse(sa, this.ports.env, adding.pending, adding.shape, payloads, 'create a CHILD SA');
    if (isExchangeFailure(result)) {
      await this.run({ effects: [effect.log(sa.id, 'warn', result.message)] });
      return adding.done({ ok: false, error: result.message });
    }
    await this.run({ effects: [{ kind: 'install-child', child: result.child }] });
    const fresh = sa.children.find((c) => c.id === result.child.childId);
    adding.done(fresh?.state.is('INSTALLED') ? { ok: true } : { ok: false, error: 'the kernel refused the CHILD SA' });
  }

  /** Rekey a CHILD SA now (soft EXPIRE from the kernel, or its rekey timer). */
  rekeyChild(childId: number): Promise<void> {
    return this.mailbox.post(async () => {
      await this.startChildRekey(childId);
    });
  }

  /** Start (or, with the request window busy, schedule) a rekey of one CHILD SA; false when there is nothing to rekey. */
  private async startChildRekey(childId: number): Promise<boolean> {
    const sa = this.data;
    const old = sa.children.find((c) => c.id === childId);
    // Gone, going, already replaced by the peer's rekey, or ours is under way.
    if (!old || !old.state.is('INSTALLED') || old.rekey.theirs || old.rekey.ours || !sa.conn) return false;
    if (!sa.state.is('ESTABLISHED') || this.superseded) return false;
    if (sa.requests.busy || this.childRekey) {
      this.timers.arm('child-rekey', REKEY_BUSY_RETRY_MS, String(childId));
      return true;
    }
    const spiIn = await this.reserve(sa.conn);
    if (spiIn === undefined) {
      await this.run({ effects: [effect.log(sa.id, 'error', `the kernel could not reserve an SPI to rekey CHILD SA ${old.params.spiIn.toString(16)}; trying again`)] });
      this.timers.arm('child-rekey', REKEY_REFUSED_RETRY_MS, String(childId));
      return true;
    }
    const built = buildChildRekey(sa, this.ports.env, old, spiIn);
    if ('code' in built) {
      await this.run({ effects: [effect.log(sa.id, 'error', `cannot rekey CHILD SA: ${built.message}`)] });
      return false;
    }
    old.rekey.ours = { nonceI: built.pending.nonceI };
    this.childRekey = built.pending;
    this.pendingRequest = { kind: 'rekey-child', childId };
    await this.run({ effects: built.effects });
    return true;
  }

  private async onChildRekeyResponse(payloads: Payload[]): Promise<void> {
    const sa = this.data;
    const pending = this.childRekey;
    this.childRekey = undefined;
    const old = pending && sa.children.find((c) => c.id === pending.oldChildId);
    if (!pending || !old) return;
    const result = childFromRekeyResponse(sa, this.ports.env, pending, old, payloads);
    if (isExchangeFailure(result)) {
      delete old.rekey.ours;
      await this.run({ effects: [effect.log(sa.id, 'warn', result.message)] });
      if (old.state.is('INSTALLED') && !old.rekey.theirs) this.timers.arm('child-rekey', retryDelayMs(REKEY_REFUSED_RETRY_MS, this.lifeLeftMs(old), this.ports.env.random), String(old.id));
      return;
    }
    old.rekey.ours = { nonceI: pending.nonceI, nonceR: result.nonceR, newChildId: result.child.childId };
    await this.run({ effects: [{ kind: 'install-child', child: result.child, policies: false }] });
    const fresh = sa.children.find((c) => c.id === result.child.childId);
    if (!fresh?.state.is('INSTALLED')) return; // the kernel refused: the old pair stays, the peer is told by run()
    const theirs = old.rekey.theirs;
    const loses = theirs !== undefined && ourRekeyLoses({ nonceI: pending.nonceI, nonceR: result.nonceR }, theirs);
    const decision = afterOurRekey(old, old.rekey, fresh.id, loses);
    const going = sa.children.find((c) => c.id === decision.deleteChildId);
    await this.run({ effects: [effect.log(sa.id, 'info', `CHILD SA ${old.params.spiIn.toString(16).padStart(8, '0')} ${decision.why}: new pair ${fresh.params.spiIn.toString(16).padStart(8, '0')}/${fresh.params.spiOut.toString(16).padStart(8, '0')}`)] });
    // The old pair may already be gone (the peer deleted it): nothing to say then.
    if (!going || !going.state.is('INSTALLED') || sa.requests.busy) return;
    this.pendingRequest = { kind: 'delete-child', childId: going.id };
    await this.run(buildDeleteChild(sa, going));
  }

  /** Milliseconds until the kernel's hard lifetime ends a CHILD SA (undefined: it has none). */
  private lifeLeftMs(child: ChildSa): number | undefined {
    const hard = child.params.lifetime?.hardSeconds;
    if (!hard || !child.installedAt) return undefined;
    return child.installedAt.getTime() + hard * 1000 - this.ports.clock.wallTime().getTime();
  }

  /** Arm the IKE SA's rekey timer (ikelifetime - rekeymargin, fuzzed). */
  private scheduleIkeRekey(): void {
    const conn = this.data.conn;
    const delay = conn ? rekeyDelayMs(conn.ikeLifetimeSeconds, conn, conn.rekey !== false, this.ports.env.random) : undefined;
    if (delay !== undefined) this.timers.arm('ike-rekey', delay);
  }

  /**
   * ikelifetime - rekeymargin reached. reauth=yes: the engine builds a
   * successor IKE SA from scratch and deletes this one once it is up (an
   * explicit `ipsec rekey --ike` still rekeys); otherwise CREATE_CHILD_SA.
   */
  private async ikeRekeyDue(): Promise<void> {
    const sa = this.data;
    // A retry of a rekey already chosen (request window busy, or refused
    // with TEMPORARY_FAILURE when both ends rekeyed at once) stays a rekey:
    // a reauthentication would replace the CHILD SAs the rekey moves along.
    const retry = this.ikeRekeyRetry;
    this.ikeRekeyRetry = false;
    if (!retry && sa.conn?.reauth && !this.superseded && !this.ikeRekey && sa.state.is('ESTABLISHED') && this.ports.reauthenticate?.(this)) return;
    await this.startIkeRekey();
  }

  /** Start (or, with the request window busy, schedule) a rekey of this IKE SA; false when it cannot be rekeyed. */
  private async startIkeRekey(): Promise<boolean> {
    const sa = this.data;
    if (this.superseded || this.ikeRekey || !sa.state.is('ESTABLISHED') || !sa.conn) return false;
    if (sa.requests.busy || this.childRekey) {
      this.ikeRekeyRetry = true;
      this.timers.arm('ike-rekey', REKEY_BUSY_RETRY_MS);
      return true;
    }
    const built = buildIkeRekey(sa, this.ports.env, this.ports.newSpi());
    if ('code' in built) {
      await this.run({ effects: [effect.log(sa.id, 'error', `cannot rekey the IKE SA: ${built.message}`)] });
      return false;
    }
    this.ikeRekey = built.pending;
    this.pendingRequest = { kind: 'rekey-ike' };
    await this.run({ effects: built.effects });
    return true;
  }

  private async onIkeRekeyResponse(payloads: Payload[]): Promise<void> {
    const sa = this.data;
    const pending = this.ikeRekey;
    this.ikeRekey = undefined;
    if (!pending) return;
    const successor = successorFromResponse(sa, pending, payloads);
    if ('code' in successor) {
      // A collision (TEMPORARY_FAILURE) or a refusal: try again after a random pause.
      const pause = REKEY_BUSY_RETRY_MS + Math.round(fraction(this.ports.env.random) * REKEY_REFUSED_RETRY_MS);
      await this.run({ effects: [effect.log(sa.id, 'warn', `${successor.message}; trying again in ${pause} ms`)] });
      this.ikeRekeyRetry = true;
      this.timers.arm('ike-rekey', pause);
      return;
    }
    this.ports.succeed(this, successor);
    this.superseded = true;
    this.timers.cancel('ike-rekey');
    await this.run({ effects: [effect.log(sa.id, 'info', `IKE SA rekeyed by us: new SPIs ${successor.spiI.toString('hex')}_i ${successor.spiR.toString('hex')}_r`)] });
    // The CHILD SAs moved to the successor; the old IKE SA goes with a Delete under its own keys.
    this.pendingRequest = { kind: 'delete-ike' };
    await this.run(buildDeleteIke(sa));
  }

  private scheduleInactivity(): void {
    const seconds = this.data.conn?.inactivitySeconds;
    if (seconds && seconds > 0) this.timers.arm('inactivity', seconds * 1000);
  }

  /** inactivity= passed: close CHILD SAs that carried nothing since the last look (inactivity.ts). */
  private async checkInactivity(): Promise<void> {
    const sa = this.data;
    const seconds = sa.conn?.inactivitySeconds;
    const read = this.ports.childPackets;
    if (!seconds || !read || this.superseded || !sa.state.is('ESTABLISHED')) return;
    this.scheduleInactivity();
    const installed = sa.children.filter((c) => c.state.is('INSTALLED'));
    const totals = new Map(await Promise.all(installed.map(async (c) => [c.id, await read(c.params)] as const)));
    const idle = idleChildren(sa.children, totals, this.inactivityMarks);
    // One exchange at a time: what is idle now and cannot go now goes at the next look.
    if (idle.length === 0 || sa.requests.busy || this.childRekey || this.ikeRekey || this.childAdd) return;
    const why = `no traffic for ${seconds}s (inactivity)`;
    if (idle.length === installed.length) {
      this.pendingRequest = { kind: 'delete-ike' };
      await this.run({ effects: [effect.log(sa.id, 'info', `closing the IKE SA and its CHILD SAs: ${why}`), ...buildDeleteIke(sa).effects] });
      return;
    }
    const child = idle[0]!;
    this.pendingRequest = { kind: 'delete-child', childId: child.id };
    const built = buildDeleteChild(sa, child);
    await this.run({ ...built, effects: [effect.log(sa.id, 'info', `closing CHILD SA ${child.params.spiIn.toString(16).padStart(8, '0')}: ${why}`), ...built.effects] });
  }

  private scheduleDpd(): void {
    const dpd = dpdSettings(this.data.conn);
    if (dpd) this.timers.arm('dpd', dpd.delayMs);
  }

  /** dpddelay passed: quiet peers get an empty INFORMATIONAL. */
  private async checkLiveness(): Promise<void> {
    const sa = this.data;
    const dpd = dpdSettings(sa.conn);
    if (!dpd || this.superseded || !sa.state.is('ESTABLISHED')) return;
    // An exchange under way has its own retransmission schedule to find a dead peer.
    if (sa.requests.busy) return this.scheduleDpd();
    const installed = sa.children.filter((c) => c.state.is('INSTALLED')).map((c) => c.params);
    const inbound = installed.length > 0 && this.ports.inboundPackets ? await this.ports.inboundPackets(installed) : undefined;
    if (inbound !== undefined && inbound !== this.lastInbound) {
      this.lastInbound = inbound;
      return this.scheduleDpd();
    }
    this.pendingRequest = { kind: 'dpd' };
    this.timers.arm('dpd', dpd.timeoutMs, 'timeout');
    await this.run({ effects: [...buildLivenessCheck(sa), effect.log(sa.id, 'debug', `no traffic from ${sa.remote.address} for ${dpd.delayMs / 1000}s: liveness check`)] });
  }

  private async peerDead(why: string): Promise<void> {
    const sa = this.data;
    const action = dpdSettings(sa.conn)?.action ?? 'clear';
    await this.run({ effects: [...closingEffects(sa, sa.children, 'dead-peer'), ...dropChildren(sa)], failed: { code: DPD_DEAD_CODE, message: `peer ${sa.remote.address} is dead (${why}); dpdaction=${action}` } });
  }

  /** Arm the rekey timer of a CHILD SA at its due time (kept across an IKE SA rekey). */
  private scheduleChildRekey(child: ChildSa): void {
    if (child.rekeyAt === undefined) {
      const conn = this.data.conn;
      const delay = conn ? childRekeyDelayMs(conn, this.ports.env.random) : undefined;
      if (delay === undefined) return;
      child.rekeyAt = this.ports.clock.now() + delay;
    }
    this.timers.arm('child-rekey', Math.max(0, child.rekeyAt - this.ports.clock.now()), String(child.id));
  }

  /**
   * Become the successor of a rekeyed IKE SA (§2.18): keys from the old
   * SK_d, the peer's identity and the CHILD SAs move over, message IDs
   * start again at 0. Returns an error text when the keys cannot be made.
   */
  takeOver(old: IkeSaData, s: Successor): string | undefined {
    const sa = this.data;
    sa.nonceI = s.nonceI;
    sa.nonceR = s.nonceR;
    sa.ikeProposal = s.proposal;
    const error = keyIkeSa(sa, s.proposal, s.sharedSecret, { prf: old.prf!, skD: old.keys!.skD });
    s.sharedSecret.fill(0);
    if (error) return error;
    if (old.localId) sa.localId = old.localId;
    if (old.peerId) sa.peerId = old.peerId;
    sa.natLocal = old.natLocal;
    sa.natRemote = old.natRemote;
    sa.peerFragmentation = old.peerFragmentation;
    if (old.peerSignatureHashes) sa.peerSignatureHashes = old.peerSignatureHashes;
    sa.children = old.children;
    old.children = [];
    for (const child of sa.children) if (child.state.is('INSTALLED')) this.scheduleChildRekey(child);
    this.scheduleIkeRekey();
    this.scheduleDpd();
    this.scheduleInactivity();
    sa.state.to('INIT_ANSWERED');
    sa.state.to('ESTABLISHED');
    sa.establishedAt = this.ports.clock.wallTime();
    forgetHandshake(sa);
    return undefined;
  }

  // ------------------------------------------------------------ inbound

  receive(header: IkeHeader, bytes: Buffer, local: Endpoint, remote: Endpoint): Promise<void> {
    return this.mailbox.post(() => this.handle(header, bytes, local, remote));
  }

  /**
   * The kernel saw the peer's UDP-encapsulated ESP arrive from `remote`
   * (XFRM MAPPING): its NAT gave it a new port. Followed like a new IKE
   * source port: the IKE SA talks to it from now on and the CHILD SAs'
   * encapsulation moves in place. A new address is MOBIKE's job: not followed.
   */
  followMapping(remote: Endpoint): Promise<void> {
    return this.mailbox.post(async () => {
      const sa = this.data;
      if (!sa.state.is('ESTABLISHED') || sa.remote.address !== remote.address || sa.remote.port === remote.port) return;
      const moved = mappingEffects(sa, sa.remote, remote);
      sa.remote = remote;
      if (moved.length > 0) await this.run({ effects: moved });
    });
  }

  private async handle(header: IkeHeader, bytes: Buffer, local: Endpoint, remote: Endpoint): Promise<void> {
    const sa = this.data;
    if (sa.state.is('DESTROYED')) return this.ports.drop('sa-gone');
    if (header.nextPayload === PayloadType.SKF) return this.handleFragment(header, bytes, local, remote);
    if (header.flags.response) return this.handleResponse(header, bytes);

    const verdict = sa.responses.classify(header.messageId, bytes);
    if (verdict.kind === 'retransmit') {
      await this.ports.executor.apply([{ kind: 'resend', datagrams: verdict.datagrams }], this.context());
      return;
    }
    if (verdict.kind !== 'new') return this.ports.drop(verdict.kind === 'in-progress' ? 'retransmit-in-progress' : 'invalid-message-id');
    const opened = openMessage(bytes, sa.skIn);
    if (!opened.ok) return this.reject(header, bytes, opened);
    sa.responses.accept(header.messageId, bytes);
    // The peer's address as it reached us this time (NAT mappings move).
    const moved = mappingEffects(sa, sa.remote, remote);
    sa.local = local;
    sa.remote = remote;
    if (moved.length > 0) await this.run({ effects: moved });
    await this.dispatchRequest(header, bytes, opened.payloads);
  }

  /** A request that did not open: counted, then answered as the RFC asks or ignored. */
  private async reject(header: IkeHeader, bytes: Buffer, failure: OpenFailure): Promise<void> {
    const sa = this.data;
    this.ports.drop(failure.reason, failure.detail);
    const answer = rejectRequest(sa, header, failure);
    if (answer) {
      sa.responses.accept(header.messageId, bytes);
      return this.run(answer);
    }
    // A half-open SA made only by this garbage: nothing to keep it for.
    if (sa.state.is('CREATED')) await this.destroy();
  }

  private async dispatchRequest(header: IkeHeader, bytes: Buffer, payloads: Payload[]): Promise<void> {
    const sa = this.data;
    const { env } = this.ports;
    const id = header.messageId;
    switch (header.exchangeType) {
      case ExchangeType.IKE_SA_INIT:
        if (!sa.state.is('CREATED')) return this.ports.drop('unexpected-exchange');
        return this.run(answerInit(sa, { header, payloads }, bytes, env));
      case ExchangeType.IKE_AUTH: {
        if (!sa.state.is('INIT_ANSWERED')) return this.ports.drop('unexpected-exchange');
        const prepared = prepareAuth(sa, env, id, payloads);
        if (!isPrepared(prepared)) return this.run(prepared);
        if (findNotify(payloads, NotifyType.INITIAL_CONTACT) && env.honoursInitialContact?.() !== false) {
          await this.ports.replacePeerSas(this, `peer ${sa.remote.address} sent INITIAL_CONTACT: its earlier SAs are gone`);
        }
        let spiIn: number | undefined;
        if (prepared.wantsChild) spiIn = await this.reserve(prepared.conn);
        return this.run(answerAuth(sa, env, id, payloads, prepared, spiIn));
      }
      case ExchangeType.INFORMATIONAL:
        if (!sa.state.is('ESTABLISHED', 'DELETING')) return this.ports.drop('unexpected-exchange');
        return this.run(answerInformational(sa, id, payloads));
      case ExchangeType.CREATE_CHILD_SA: {
        if (!sa.state.is('ESTABLISHED')) return this.ports.drop('unexpected-exchange');
        if (createChildKind(payloads) === 'ike-rekey') {
          if (this.ikeRekey || this.childRekey || this.superseded) return this.run({ effects: refuseWhileRekeying(sa, id, 'an IKE SA rekey') });
          const result = answerIkeRekey(sa, env, id, payloads, this.ports.newSpi());
          await this.run(result);
          if (result.successor) {
            this.ports.succeed(this, result.successor);
            this.superseded = true;
            this.timers.cancel('ike-rekey');
          }
          return;
        }
        if (this.ikeRekey || this.superseded) return this.run({ effects: refuseWhileRekeying(sa, id, 'a CHILD SA') });
        const spiIn = await this.reserve(sa.conn!);
        const answered = answerCreateChild(sa, env, id, payloads, spiIn);
        if (answered.rekeyed) {
          // The peer replaces this CHILD SA: our own rekey of it stops here
          // (or, if under way, the collision rule decides once it completes).
          const old = sa.children.find((c) => c.id === answered.rekeyed!.oldChildId);
          if (old) old.rekey.theirs = answered.rekeyed;
          this.timers.cancel('child-rekey', String(answered.rekeyed.oldChildId));
        }
        return this.run(answered);
      }
      default:
        return this.ports.drop('unsupported-exchange');
    }
  }

  /** One SKF fragment (RFC 7383): collect, and handle the message once whole. */
  private async handleFragment(header: IkeHeader, bytes: Buffer, local: Endpoint, remote: Endpoint): Promise<void> {
    const sa = this.data;
    if (!sa.skIn) return this.ports.drop('not-encrypted', 'SKF before keys exist');
    const id = header.messageId;
    if (!header.flags.response && id !== sa.responses.expectedMessageId) {
      // A retransmitted fragmented request: answer from the cache once, on its first fragment.
      const cached = sa.responses.lastResponse(id);
      if (cached && firstFragment(bytes)) {
        await this.ports.executor.apply([{ kind: 'resend', datagrams: cached }], this.context());
        return;
      }
      return this.ports.drop('invalid-message-id');
    }
    if (header.flags.response && !sa.requests.matches(id)) return this.ports.drop('unexpected-response');
    if (!this.reassembly || this.reassembly.messageId !== id || this.reassembly.response !== header.flags.response) {
      this.reassembly = Object.assign(new Reassembly(id), { response: header.flags.response });
    }
    const result = this.reassembly.add(bytes, sa.skIn);
    if (result.kind === 'drop') return this.ports.drop(result.reason, result.detail);
    if (result.kind === 'pending') return;
    this.reassembly = undefined;
    const violations = checkExchangeRules(header.exchangeType, header.flags.response, result.message.payloads, result.payloads);
    if (violations.length > 0) return this.ports.drop('rule-violation', violations.map((v) => v.message).join('; '));
    if (header.flags.response) return this.onResponse(header, result.first, result.message, result.payloads);
    sa.responses.accept(id, result.first);
    sa.local = local;
    sa.remote = remote;
    await this.dispatchRequest(header, result.first, result.payloads);
  }

  private async handleResponse(header: IkeHeader, bytes: Buffer): Promise<void> {
    const sa = this.data;
    if (!sa.requests.matches(header.messageId)) return this.ports.drop('unexpected-response');
    const opened = openMessage(bytes, header.exchangeType === ExchangeType.IKE_SA_INIT ? undefined : sa.skIn);
    if (!opened.ok) return this.ports.drop(opened.reason, opened.detail);
    return this.onResponse(header, bytes, opened.message, opened.payloads);
  }

  private async onResponse(header: IkeHeader, bytes: Buffer, message: IkeMessage, payloads: Payload[]): Promise<void> {
    const sa = this.data;
    sa.requests.complete();
    this.timers.cancel('retransmit');
    const pending = this.pendingRequest;
    this.pendingRequest = undefined;
    const { env } = this.ports;
    switch (pending?.kind) {
      case 'init': {
        const result = processInitResponse(sa, message, bytes, env);
        if (result.failed || result.next !== 'auth') {
          if (!result.failed) this.pendingRequest = { kind: 'init' }; // restarted
          return this.run(result);
        }
        await this.run({ effects: result.effects });
        const spiIn = await this.reserve(sa.conn!);
        if (spiIn === undefined) {
          return this.run({ effects: [], failed: { code: 'KERNEL_ALLOCSPI', message: `the kernel could not reserve an SPI for conn '${sa.conn!.name}'` } });
        }
        this.pendingRequest = { kind: 'auth' };
        return this.run(buildAuthRequest(sa, env, spiIn));
      }
      case 'auth':
        return this.run(processAuthResponse(sa, env, payloads));
      case 'delete-ike':
        return this.run({ effects: [], closed: 'deleted' });
      case 'delete-child': {
        const child = sa.children.find((c) => c.id === pending.childId);
        return this.run({ effects: child ? removeChildren(sa, [child]) : [] });
      }
      case 'rekey-child':
        return this.onChildRekeyResponse(payloads);
      case 'rekey-ike':
        return this.onIkeRekeyResponse(payloads);
      case 'add-child':
        return this.onChildAddResponse(payloads);
      case 'dpd':
        this.timers.cancel('dpd', 'timeout');
        return this.scheduleDpd();
      default:
        return;
    }
  }

  private async reserve(conn: IkeConn): Promise<number | undefined> {
    // The SPI space is per protocol: an AH conn reserves an AH SPI.
    const proto = childProtocolOf(conn);
    const spi = await this.ports.reserveSpi(this.data.local.address, this.data.remote.address, this.ports.env.reqidFor(conn), proto, tagsFor(conn.tags, 'in')).catch(() => undefined);
    if (spi !== undefined) this.reservedSpis.set(spi, proto);
    return spi;
  }

  // ------------------------------------------------------------ timers

  private async onTimer(name: TimerName, key = ''): Promise<void> {
    const sa = this.data;
    if (sa.state.is('DESTROYED')) return;
    if (name === 'child-rekey') {
      await this.startChildRekey(Number(key.slice(key.indexOf(':') + 1)));
      return;
    }
    if (name === 'ike-rekey') {
      await this.ikeRekeyDue();
      return;
    }
    if (name === 'inactivity') return this.checkInactivity();
    if (name === 'dpd') {
      if (key !== 'dpd:timeout') return this.checkLiveness();
      if (this.pendingRequest?.kind === 'dpd') return this.peerDead(`no answer to a liveness check within dpdtimeout`);
      return;
    }
    if (name === 'retransmit') {
      const step = sa.requests.onTimeout();
      if (step.action === 'resend') {
        await this.run({
          effects: [
            { kind: 'resend', datagrams: step.datagrams },
            { kind: 'arm-timer', timer: 'retransmit', ms: step.waitMs },
            effect.log(sa.id, 'info', `retransmit ${step.sends - 1} of request ${sa.requests.outstanding?.messageId} (${sa.requests.outstanding?.exchange})`),
          ],
        });
      } else if (step.action === 'give-up') {
        const what = step.request.exchange;
        const message = `peer ${sa.remote.address} did not answer ${what} after ${step.request.sends - 1} retransmits; giving up`;
        if (this.pendingRequest?.kind === 'delete-ike') return this.run({ effects: [], closed: 'delete unanswered' });
        if (this.pendingRequest?.kind === 'dpd') return this.peerDead(`liveness check unanswered after ${step.request.sends - 1} retransmits`);
        await this.run({ effects: dropChildren(sa), failed: { code: 'RETRANSMIT_TIMEOUT', message } });
      }
      return;
    }
    if (name === 'keepalive') {
      await this.run({ effects: keepaliveEffects(sa) });
      return;
    }
    if (name === 'half-open-expire' && sa.state.is('INIT_ANSWERED')) {
      await this.run({ effects: [], failed: { code: 'HALF_OPEN_TIMEOUT', message: `peer ${sa.remote.address} never sent IKE_AUTH` } });
    }
  }

  // ------------------------------------------------------------ effects

  private context() {
    return { ikeSaId: this.data.id, local: this.data.local, remote: this.data.remote, timers: this.timers };
  }

  /** Apply a task's effects and fold the executor's report back into the SA. */
  private async run(result: TaskResult): Promise<void> {
    const sa = this.data;
    const effects: Effect[] = [...result.effects];
    for (const fx of effects) {
      if (fx.kind === 'install-child') {
        const child = new ChildSa(fx.child);
        child.state.to('INSTALLING');
        child.outboundPending = fx.outbound === false;
        sa.children.push(child);
      }
      if (fx.kind === 'install-outbound') {
        const child = sa.children.find((c) => c.id === fx.child.childId);
        if (child) child.outboundPending = false;
      }
    }
    const report = await this.ports.executor.apply(effects, this.context());
    this.absorb(report);
    await this.releaseUnusedSpis();
    if (result.failed) {
      sa.failure = result.failed;
      await this.ports.executor.apply([effect.emit({ type: 'ike-failed', ikeSaId: sa.id, code: result.failed.code, error: result.failed.message })], this.context());
      await this.destroy();
    } else if (result.closed) {
      await this.ports.executor.apply([effect.emit({ type: 'ike-deleted', ikeSaId: sa.id, reason: result.closed })], this.context());
      await this.destroy();
    } else if (sa.initiator && report.failed.length > 0 && sa.state.is('ESTABLISHED') && !sa.requests.busy) {
      // Our kernel refused a CHILD SA the peer already installed: tell it.
      const child = sa.children.find((c) => c.id === report.failed[0]!.childId);
      if (child) {
        this.pendingRequest = { kind: 'delete-child', childId: child.id };
        await this.run(buildDeleteChild(sa, child));
      }
    }
  }

  private absorb(report: ExecutionReport): void {
    const sa = this.data;
    for (const sent of report.sent) {
      if (sent.role === 'request') {
        const wait = sa.requests.sent(sent.messageId, sent.datagrams, sent.exchange);
        this.timers.arm('retransmit', wait);
      } else {
        sa.responses.remember(sent.messageId, sent.datagrams);
      }
    }
    const now = this.ports.clock.wallTime();
    for (const id of report.installed) {
      const child = sa.children.find((c) => c.id === id);
      if (!child) continue;
      child.state.to('INSTALLED');
      child.installedAt = now;
      this.reservedSpis.delete(child.params.spiIn);
      this.scheduleChildRekey(child);
    }
    for (const { childId } of report.failed) sa.children.find((c) => c.id === childId)?.state.to('FAILED');
    for (const id of report.deleted) {
      const child = sa.children.find((c) => c.id === id);
      if (child && child.state.can('DELETED')) child.state.to('DELETED');
    }
    if (sa.state.is('ESTABLISHED') && !sa.establishedAt) {
      sa.establishedAt = now;
      forgetHandshake(sa);
      this.ports.established?.(this);
      this.scheduleIkeRekey();
      this.scheduleDpd();
      this.scheduleInactivity();
    }
    for (const params of report.updated) {
      const child = sa.children.find((c) => c.id === params.childId);
      if (child) child.params.encap = params.encap;
    }
    if (wantsKeepalives(sa) && !this.timers.isArmed('keepalive')) this.timers.arm('keepalive', NAT_KEEPALIVE_INTERVAL_MS);
  }

  /** SPIs reserved for a CHILD SA that was refused or failed go back at once. */
  private async releaseUnusedSpis(): Promise<void> {
    const sa = this.data;
    const inUse = new Set<number>(sa.children.filter((c) => c.state.is('INSTALLING', 'INSTALLED')).map((c) => c.params.spiIn));
    if (sa.pendingChild) inUse.add(sa.pendingChild.spiIn);
    if (this.childRekey) inUse.add(this.childRekey.spiIn);
    if (this.childAdd) inUse.add(this.childAdd.pending.spiIn);
    const stale = [...this.reservedSpis].filter(([spi]) => !inUse.has(spi));
    if (stale.length === 0) return;
    for (const [spi] of stale) this.reservedSpis.delete(spi);
    await this.ports.executor.apply(
      stale.map(([spi, proto]) => this.releaseSpi(spi, proto)),
      this.context(),
    );
  }

  /** Give a reserved inbound SPI back (the reserved SA carries the conn's mark_in). */
  private releaseSpi(spi: number, proto: 'esp' | 'ah'): Effect {
    const mark = this.data.conn?.tags?.markIn;
    return { kind: 'release-spi', spi, dst: this.data.local.address, proto, ...(mark ? { mark } : {}) };
  }

  private async destroy(): Promise<void> {
    const sa = this.data;
    if (sa.state.is('DESTROYED')) return;
    this.timers.cancelAll();
    // Reserved SPIs whose CHILD SA never got installed (or was removed).
    const release: Effect[] = [...this.reservedSpis].map(([spi, proto]) => this.releaseSpi(spi, proto));
    for (const c of sa.children) if (c.state.is('FAILED')) release.push(this.releaseSpi(c.params.spiIn, c.params.protocol));
    this.reservedSpis.clear();
    if (release.length > 0) await this.ports.executor.apply(release, this.context());
    sa.state.to('DESTROYED');
    sa.ke?.dispose();
    // A rekey still in flight holds a private key-exchange value.
    this.childRekey?.ke?.dispose();
    this.ikeRekey?.ke.dispose();
    this.childRekey = undefined;
    this.ikeRekey = undefined;
    this.childAdd?.pending.ke?.dispose();
    this.childAdd?.done({ ok: false, error: sa.failure?.message ?? 'the IKE SA is gone' });
    this.childAdd = undefined;
    sa.skIn?.dispose();
    sa.skOut?.dispose();
    sa.keys?.dispose();
    this.ports.destroyed(this);
    this.markClosed();
  }
}

/** Fragment Number of an SKF message is 1 (octets 32-33: after header and SKF generic header). */
function firstFragment(bytes: Buffer): boolean {
  return bytes.length >= 34 && bytes.readUInt16BE(32) === 1;
}
