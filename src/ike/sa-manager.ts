// Routes every inbound datagram to its IKE SA. Cheap checks first, each
// drop counted by reason: the header must decode (28 octets, version 2),
// then the SPI we gave out must be known. A new IKE_SA_INIT request creates
// a responder SA; a retransmitted one (same SPIi from the same peer) goes
// to the half-open SA already made for it, whose window answers from cache.

import { randomBytes } from 'node:crypto';
import { CookieGenerator } from '../crypto/cookie.js';
import { decodeMessage } from '../wire/message.js';
import type { DecodeError } from '../wire/errors.js';
import { NotifyType } from '../wire/iana/notify-types.js';
import { PayloadType } from '../wire/iana/payload-types.js';
import { findNotify, findPayload } from '../wire/payload.js';
import { encodePlain } from './protection.js';
import { notify } from './tasks/task.js';
import type { Datagram } from '../net/transport.js';
import { decodeHeader } from '../wire/message.js';
import type { Endpoint } from '../net/transport.js';
import { ExchangeType } from '../wire/iana/exchange-types.js';
import { IkeSa, type IkeSaPorts } from './ike-sa.js';
import type { Successor } from './tasks/ike-rekey.js';
import type { IkeConn } from './conn.js';
import { ZERO_SPI } from './tasks/task.js';
import { formatIdentity } from './identity.js';

export interface SaManagerPorts extends Omit<IkeSaPorts, 'destroyed' | 'drop' | 'newSpi' | 'succeed' | 'replacePeerSas'> {
  drop(reason: string, detail?: string): void;
  /** Called after an SA is destroyed and forgotten. */
  forgotten(sa: IkeSa): void;
  random?: (size: number) => Buffer;
  /** Send a datagram that belongs to no SA (stateless COOKIE answers). */
  sendRaw(local: Endpoint, remote: Endpoint, bytes: Buffer): Promise<void>;
  /**
   * Half-open SAs at which new IKE_SA_INIT requests must return a COOKIE
   * first (RFC 7296 §2.6); default 1000, 0 = always.
   */
  cookieThreshold?: number;
  /** A log line of the manager's own (COOKIE mode on/off, secret rotated). */
  log?(level: 'debug' | 'info' | 'warn', message: string): void;
}

/** How new IKE_SA_INIT requests are admitted under load (config setup). */
export interface InitLimits {
  /** Half-open IKE SAs from which a COOKIE is required (0 = always). */
  cookieThreshold: number;
  /** Half-open IKE SAs at which new IKE_SA_INIT requests are dropped, cookie or not. */
  halfOpenLimit: number;
  /** How long a COOKIE secret is current (ms); cookies live one to two of these. */
  cookieSecretLifetimeMs: number;
}

export const defaultInitLimits: InitLimits = { cookieThreshold: 1000, halfOpenLimit: 5000, cookieSecretLifetimeMs: 120_000 };

/** What `ipsec statusall` shows about IKE_SA_INIT admission. */
export interface InitLoad extends InitLimits {
  halfOpen: number;
  cookieMode: boolean;
  cookieSecretVersion: number;
  /** IKE_SA_INIT requests that created a responder SA (only these reach the DH computation). */
  responderSas: number;
}

export class SaManager {
  private readonly bySpi = new Map<string, IkeSa>();
  /**
   * Responder SAs by the IKE_SA_INIT that made them (initiator SPI and
   * address), for their whole life: a copy of that request arriving late,
   * even after IKE_AUTH, must reach its SA (which drops it as an old message
   * ID) and not open a second half-open SA.
   */
  private readonly byInit = new Map<string, IkeSa>();
  private readonly byId = new Map<number, IkeSa>();
  /** The byInit key of each responder SA. */
  private readonly initKeys = new Map<IkeSa, string>();
  /** Established SAs by their pair of identities, for INITIAL_CONTACT (see replacePeerSas). */
  private readonly byIdentities = new Map<string, Set<IkeSa>>();
  private readonly identityKeys = new Map<IkeSa, string>();
  /** One ports object for all SAs (it was a copy per SA: 5 closures and a spread each). */
  private readonly shared: IkeSaPorts;
  /** Responder SAs not yet seen past INIT_ANSWERED (pruned when counted at a limit). */
  private readonly pending = new Set<IkeSa>();
  private nextId = 1;
  private readonly cookies: CookieGenerator;
  private limits: InitLimits;
  private cookieMode = false;
  private responderSas = 0;

  constructor(private readonly ports: SaManagerPorts) {
    this.shared = {
      ...ports,
      newSpi: () => this.newSpi(),
      succeed: (old, successor) => this.succeed(old, successor),
      drop: (reason, detail) => ports.drop(reason, detail),
      replacePeerSas: (sa, reason) => this.replacePeerSas(sa, reason),
      established: (sa) => this.established(sa),
      destroyed: (sa) => this.destroyed(sa),
    };
    this.limits = { ...defaultInitLimits, ...(ports.cookieThreshold !== undefined ? { cookieThreshold: ports.cookieThreshold } : {}) };
    this.cookies = new CookieGenerator({
      now: () => ports.clock.now(),
      lifetimeMs: this.limits.cookieSecretLifetimeMs,
      onRotate: (version) => ports.log?.('info', `COOKIE secret rotated, now version ${version}`),
    });
  }

  /** New admission limits (config setup, on load and reload). */
  configure(limits: Partial<InitLimits>): void {
    this.limits = { ...this.limits, ...limits };
    this.cookies.setLifetime(this.limits.cookieSecretLifetimeMs);
  }

  initLoad(): InitLoad {
    return {
      ...this.limits,
      halfOpen: this.halfOpenCount(true),
      cookieMode: this.cookieMode,
      cookieSecretVersion: this.cookies.version,
      responderSas: this.responderSas,
    };
  }

  /** Start a new COOKIE secret (the previous one stays valid once more). */
  rotateCookieSecret(): void {
    this.cookies.rotate();
  }

  /**
   * Admission of a new initiator, cheapest checks first and before any
   * state or DH: at the half-open limit nothing is admitted; from the
   * COOKIE threshold on, the initiator must first prove it receives our
   * answers (§2.6). Returns true when the request may create an SA.
   */
  private admit(d: Datagram, spiI: Buffer): boolean {
    const halfOpen = this.halfOpenCount();
    if (halfOpen >= this.limits.halfOpenLimit) {
      this.ports.drop('half-open-limit');
      return false;
    }
    const busy = halfOpen >= this.limits.cookieThreshold;
    if (busy !== this.cookieMode) {
      this.cookieMode = busy;
      this.ports.log?.(
        'info',
        busy
          ? `${halfOpen} half-open IKE SAs (COOKIE threshold ${this.limits.cookieThreshold}): new initiators must return a COOKIE first`
          : `${halfOpen} half-open IKE SAs, below the COOKIE threshold ${this.limits.cookieThreshold}: COOKIE mode off`,
      );
    }
    if (!busy) return true;
    const decoded = decodeMessage(d.bytes);
    if (!decoded.ok) return false;
    const nonce = findPayload(decoded.value.payloads, PayloadType.NONCE);
    if (!nonce) return false;
    const input = { nonceI: nonce.data, initiatorAddress: d.remote.address, spiI };
    const cookie = findNotify(decoded.value.payloads, NotifyType.COOKIE);
    if (cookie && this.cookies.verify(cookie.data, input).ok) return true;
    const fresh = this.cookies.generate(input);
    if (!fresh.ok) return false;
    const answer = encodePlain(
      { spiI, spiR: ZERO_SPI, exchangeType: ExchangeType.IKE_SA_INIT, messageId: 0, initiator: false, response: true },
      [notify(NotifyType.COOKIE, fresh.value)],
    );
    this.ports.drop('cookie-required');
    void this.ports.sendRaw(d.local, d.remote, answer).catch(() => undefined);
    return false;
  }

  /**
   * Responder SAs still in CREATED or INIT_ANSWERED. `pending` only grows
   * on create and shrinks on destroy, so it is an upper bound; it is pruned
   * of established SAs only when that bound reaches a limit.
   */
  private halfOpenCount(exact = false): number {
    if (!exact && this.pending.size < Math.min(this.limits.cookieThreshold, this.limits.halfOpenLimit)) return this.pending.size;
    for (const sa of this.pending) if (!sa.data.state.is('CREATED', 'INIT_ANSWERED')) this.pending.delete(sa);
    return this.pending.size;
  }

  all(): IkeSa[] {
    return [...this.bySpi.values()];
  }

  get(id: number): IkeSa | undefined {
    return this.byId.get(id);
  }

  /** Resolves once every SA's mailbox has drained. */
  async idle(): Promise<void> {
    for (;;) {
      const sas = this.all();
      await Promise.all(sas.map((sa) => sa.idle()));
      if (this.byId.size === sas.length && sas.every((sa) => this.byId.get(sa.id) === sa)) return;
    }
  }

  /** New initiator SA for `conn` towards `remote`. */
  create(conn: IkeConn, local: { address: string; port: number }, remote: { address: string; port: number }): IkeSa {
    const sa = new IkeSa({ id: this.nextId++, initiator: true, spiI: this.newSpi(), spiR: Buffer.from(ZERO_SPI), local, remote, conn }, this.shared);
    this.register(sa);
    return sa;
  }

  handle(d: Datagram): void {
    const decoded = decodeHeader(d.bytes);
    if (!decoded.ok) {
      this.answerVersion(d, decoded.error);
      return this.ports.drop('malformed-header');
    }
    const h = decoded.value;
    // The I flag says who created the IKE SA; our SPI is the other side's.
    const ours = h.flags.initiator ? h.spiR : h.spiI;
    if (h.exchangeType === ExchangeType.IKE_SA_INIT && !h.flags.response && h.flags.initiator) {
      if (!h.spiR.equals(ZERO_SPI) || h.messageId !== 0) return this.ports.drop('invalid-ike-sa-init');
      const key = `${h.spiI.toString('hex')}/${d.remote.address}/${d.remote.port}`;
      let sa = this.byInit.get(key);
      if (!sa) {
        if (!this.admit(d, h.spiI)) return;
        sa = new IkeSa(
          { id: this.nextId++, initiator: false, spiI: ownBytes(h.spiI), spiR: this.newSpi(), local: d.local, remote: d.remote },
          this.shared,
        );
        this.register(sa);
        this.byInit.set(key, sa);
        this.initKeys.set(sa, key);
        this.pending.add(sa);
        this.responderSas++;
      }
      void sa.receive(h, d.bytes, d.local, d.remote).catch((err) => this.ports.drop('handler-error', describeError(err)));
      return;
    }
    const sa = this.bySpi.get(ours.toString('hex'));
    if (!sa) return this.ports.drop('unknown-spi');
    void sa.receive(h, d.bytes, d.local, d.remote).catch((err) => this.ports.drop('handler-error', describeError(err)));
  }

  /**
   * RFC 7296 §1.5: a request with a higher major version is dropped and
   * SHOULD get an unauthenticated N(INVALID_MAJOR_VERSION) naming the version
   * we speak (the reply header says 2.0). Only IKE_SA_INIT requests are
   * answered: anything else claims an SA that cannot exist in another
   * version, and a response is never answered, so nothing ping-pongs.
   */
  private answerVersion(d: Datagram, error: DecodeError): void {
    const h = error.header;
    if (error.notify !== NotifyType.INVALID_MAJOR_VERSION || !h || h.flags.response) return;
    if (h.exchangeType !== ExchangeType.IKE_SA_INIT) return;
    const answer = encodePlain(
      { spiI: h.spiI, spiR: h.spiR, exchangeType: h.exchangeType, messageId: h.messageId, initiator: false, response: true },
      [notify(NotifyType.INVALID_MAJOR_VERSION)],
    );
    void this.ports.sendRaw(d.local, d.remote, answer).catch(() => undefined);
  }

  private newSpi(): Buffer {
    for (;;) {
      const spi = (this.ports.random ?? randomBytes)(8);
      if (!spi.equals(ZERO_SPI) && !this.bySpi.has(spi.toString('hex'))) return spi;
    }
  }

  /** After an IKE SA rekey: the successor, registered under its new SPI. */
  private succeed(old: IkeSa, successor: Successor): void {
    const d = old.data;
    const sa = new IkeSa(
      { id: this.nextId++, initiator: successor.initiator ?? false, spiI: successor.spiI, spiR: successor.spiR, local: d.local, remote: d.remote, ...(d.conn ? { conn: d.conn } : {}) },
      this.shared,
    );
    const error = sa.takeOver(d, successor);
    if (error) {
      this.ports.drop('rekey-failed', error);
      return;
    }
    this.register(sa);
    this.established(sa);
  }

  private register(sa: IkeSa): void {
    this.bySpi.set(sa.localSpi.toString('hex'), sa);
    this.byId.set(sa.id, sa);
  }

  /** The SA finished IKE_AUTH: no longer half-open, and it joins the identity index. */
  private established(sa: IkeSa): void {
    this.pending.delete(sa);
    this.indexIdentities(sa);
  }

  private destroyed(sa: IkeSa): void {
    this.bySpi.delete(sa.localSpi.toString('hex'));
    this.byId.delete(sa.id);
    const key = this.initKeys.get(sa);
    if (key !== undefined && this.byInit.get(key) === sa) this.byInit.delete(key);
    this.initKeys.delete(sa);
    this.pending.delete(sa);
    const ids = this.identityKeys.get(sa);
    if (ids !== undefined) {
      const set = this.byIdentities.get(ids);
      set?.delete(sa);
      if (set?.size === 0) this.byIdentities.delete(ids);
      this.identityKeys.delete(sa);
    }
    this.ports.forgotten(sa);
  }

  private indexIdentities(sa: IkeSa): string | undefined {
    const { peerId, localId } = sa.data;
    if (!peerId || !localId || sa.data.state.is('DESTROYED')) return undefined;
    const key = `${formatIdentity(peerId)}\u0000${formatIdentity(localId)}`;
    if (this.identityKeys.get(sa) === key) return key;
    this.identityKeys.set(sa, key);
    let set = this.byIdentities.get(key);
    if (!set) this.byIdentities.set(key, (set = new Set()));
    set.add(sa);
    return key;
  }

  /**
   * The SAs indexed under the same two identities as `sa`, itself
   * included: the only candidates for a duplicate (uniqueness.ts), found
   * without a scan of every SA.
   */
  withSameIdentities(sa: IkeSa): IkeSa[] {
    const key = this.indexIdentities(sa);
    return key === undefined ? [] : [...(this.byIdentities.get(key) ?? [])];
  }

  /**
   * The peer says (INITIAL_CONTACT) that `sa` is its only IKE SA with us:
   * whatever else we hold between the same two identities belongs to a
   * previous life of the peer. Forget it without a word to the peer, and
   * remove its kernel state, before `sa` installs its own.
   */
  // Looked up in an index of established SAs (and of SAs that sent
  // INITIAL_CONTACT themselves) by their two identities, not by a scan of
  // every SA: each new peer sends INITIAL_CONTACT, and a scan made every
  // handshake cost as much as the number of SAs.
  private async replacePeerSas(sa: IkeSa, reason: string): Promise<number> {
    const key = this.indexIdentities(sa);
    if (key === undefined) return 0;
    const stale = [...(this.byIdentities.get(key) ?? [])].filter((o) => o !== sa && !o.data.state.is('DESTROYED'));
    await Promise.all(stale.map((o) => o.abandon(reason)));
    return stale.length;
  }
}

/** An exact copy with its own memory (a view of the datagram would keep all of it alive). */
function ownBytes(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/** A bug surfaced while handling a datagram: keep its first stack lines for the log. */
function describeError(err: unknown): string {
  if (err instanceof Error) return (err.stack ?? `${err.name}: ${err.message}`).split('\n').slice(0, 4).join(' | ');
  return String(err);
}
