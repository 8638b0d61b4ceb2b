// KernelBackend over Linux xfrm netlink (NETLINK_XFRM) and rtnetlink.
//
// Ownership: SAs carry a reqid from the owned range; policies carry the
// range's base in their selector's `user` field (stored and reported by the
// kernel, never used for matching), so a restarted daemon finds exactly its
// predecessor's policies, template-less ones included.
//
// Sockets: one command socket (requests pipelined, replies matched by
// sequence number; it also joins XFRMNLGRP_POLICY because the kernel reports
// the index of a new policy only in that notification, which carries our
// portid and sequence number and arrives before the ack), one event socket
// (ACQUIRE, EXPIRE, MAPPING) opened on first subscribe, and one rtnetlink
// socket for routes, opened on first use.
import type { Socket } from 'node:dgram';
import type {
  AllocSpiRequest,
  KernelBackend,
  KernelEventListener,
  OwnershipOptions,
  PolicyHandle,
  PolicyRef,
  PolicySpec,
  PolicyState,
  RouteSpec,
  SaId,
  SaSpec,
  SaState,
} from '../backend.js';
import {
  DEFAULT_REQID_BASE,
  DEFAULT_REQID_COUNT,
  DEFAULT_ROUTE_RULE_PRIORITY,
  DEFAULT_ROUTE_TABLE,
  KernelError,
} from '../backend.js';
import { familyOf, parsePrefix } from '../address.js';
import { NETLINK_ROUTE, NETLINK_XFRM, type NetlinkMessage } from '../netlink/message.js';
import { loadNative, socketFd } from '../netlink/native.js';
import { NetlinkSocket } from '../netlink/socket.js';
import { RouteTable } from '../rtnetlink/routes.js';
import { decodeEvent } from './event-codec.js';
import { decodePolicy, encodePolicy, encodePolicyId, encodeSocketBypass, policyIndexOf, policyOwnerOf } from './policy-codec.js';
import { decodeSa, encodeAllocSpi, encodeSa, encodeSaId } from './sa-codec.js';
import { toKernelError, type ErrorContext } from './errors.js';
import { wipeKeys } from './fields.js';
import * as X from './structs.js';

const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
const IPPROTO_UDP = 17;
const IP_XFRM_POLICY = 17;
const IPV6_XFRM_POLICY = 35;
const UDP_ENCAP = 100;

export interface XfrmBackendOptions extends OwnershipOptions {
  /** Requests in flight on the command socket (default 256). */
  window?: number;
}

const hex = (spi: number): string => `0x${spi.toString(16).padStart(8, '0')}`;

export class XfrmBackend implements KernelBackend {
  readonly reqidRange: { base: number; count: number };
  private readonly command: NetlinkSocket;
  private events: NetlinkSocket | undefined;
  private routeSocket: NetlinkSocket | undefined;
  private routes: RouteTable | undefined;
  private readonly listeners = new Set<KernelEventListener>();
  /** Ownership mark written into every policy's selector `user` field. */
  private readonly policyOwner: number;
  private readonly routeTable: number;
  private readonly routeRulePriority: number;

  constructor(options: XfrmBackendOptions = {}) {
    this.reqidRange = { base: options.reqidBase ?? DEFAULT_REQID_BASE, count: options.reqidCount ?? DEFAULT_REQID_COUNT };
    this.policyOwner = this.reqidRange.base;
    this.routeTable = options.routeTable ?? DEFAULT_ROUTE_TABLE;
    this.routeRulePriority = options.routeRulePriority ?? DEFAULT_ROUTE_RULE_PRIORITY;
    const socketOptions = options.window === undefined ? {} : { window: options.window };
    try {
      this.command = new NetlinkSocket(NETLINK_XFRM, { ...socketOptions, groups: [X.XFRMNLGRP_POLICY] });
    } catch (err) {
      throw toKernelError(err, { action: 'open xfrm netlink socket' });
    }
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

  private async run(
    ctx: ErrorContext,
    type: number,
    fixed: Buffer,
    attrs: Parameters<NetlinkSocket['request']>[3],
    kind: 'ack' | 'single' | 'dump',
    secret = false,
  ): Promise<NetlinkMessage[]> {
    try {
      return await this.command.request(type, 0, fixed, attrs, kind, { secret });
    } catch (err) {
      throw toKernelError(err, ctx);
    }
  }

  async allocSpi(req: AllocSpiRequest): Promise<number> {
    this.requireOwned(req.reqid, 'allocSpi');
    const ctx: ErrorContext = { action: `allocate ${req.proto.toUpperCase()} SPI for ${req.src} -> ${req.dst}`, proto: req.proto, family: familyOf(req.dst) };
    const { fixed, attrs } = encodeAllocSpi(req);
    let replies: NetlinkMessage[];
    try {
      replies = await this.run(ctx, X.XFRM_MSG_ALLOCSPI, fixed, attrs, 'single');
    } catch (err) {
      // The kernel creates the SPI-less larval state before it looks for a
      // free SPI and leaves it behind when none is free: remove it.
      await this.claimAndDelete({ ...req, min: 0x100, max: 0xffffffff }).catch(() => undefined);
      throw err;
    }
    const reply = replies[0];
    if (!reply || reply.type !== X.XFRM_MSG_NEWSA) throw new KernelError('KERNEL_PROTOCOL', 'EPROTO', `${ctx.action}: unexpected reply`);
    return decodeSa(reply.payload).spi;
  }

  /**
   * Larval states without an SPI (left by a failed ALLOCSPI, or made by the
   * kernel for an ACQUIRE) cannot be deleted by (dst, spi, proto). ALLOCSPI
   * with the same (mode, reqid, addresses, proto, mark, if_id) finds exactly
   * that state and gives it an SPI; then it can be deleted.
   */
  private async claimAndDelete(req: AllocSpiRequest): Promise<void> {
    const { fixed, attrs } = encodeAllocSpi(req);
    const [reply] = await this.command.request(X.XFRM_MSG_ALLOCSPI, 0, fixed, attrs, 'single');
    if (!reply) return;
    const spi = decodeSa(reply.payload).spi;
    await this.deleteSa({ dst: req.dst, spi, proto: req.proto, ...(req.mark ? { mark: req.mark } : {}) });
  }

  private saContext(verb: string, sa: SaSpec): ErrorContext {
    const a = sa.algorithms;
    const algorithms = [a.aead?.name, a.crypt?.name, a.auth?.name].filter((n): n is string => !!n);
    return {
      action: `${verb} ${sa.proto.toUpperCase()} SA spi ${hex(sa.spi)} ${sa.src} -> ${sa.dst}`,
      proto: sa.proto,
      family: familyOf(sa.dst),
      algorithms,
    };
  }

  async addSa(sa: SaSpec): Promise<void> {
    this.requireOwned(sa.reqid, 'addSa');
    const { fixed, attrs } = encodeSa(sa);
    try {
      await this.run(this.saContext('add', sa), X.XFRM_MSG_NEWSA, fixed, attrs, 'ack', true);
    } finally {
      wipeKeys(attrs);
    }
  }

  async updateSa(sa: SaSpec): Promise<void> {
    this.requireOwned(sa.reqid, 'updateSa');
    const { fixed, attrs } = encodeSa(sa);
    try {
      await this.run(this.saContext('update', sa), X.XFRM_MSG_UPDSA, fixed, attrs, 'ack', true);
    } finally {
      wipeKeys(attrs);
    }
  }

  async querySa(id: SaId): Promise<SaState> {
    const ctx = { action: `query ${id.proto.toUpperCase()} SA spi ${hex(id.spi)} to ${id.dst}` };
    const { fixed, attrs } = encodeSaId(id);
    const [reply] = await this.run(ctx, X.XFRM_MSG_GETSA, fixed, attrs, 'single');
    if (!reply || reply.type !== X.XFRM_MSG_NEWSA) throw new KernelError('KERNEL_PROTOCOL', 'EPROTO', `${ctx.action}: unexpected reply`);
    return decodeSa(reply.payload);
  }

  async deleteSa(id: SaId): Promise<void> {
    const ctx = { action: `delete ${id.proto.toUpperCase()} SA spi ${hex(id.spi)} to ${id.dst}` };
    const { fixed, attrs } = encodeSaId(id);
    await this.run(ctx, X.XFRM_MSG_DELSA, fixed, attrs, 'ack');
  }

  async listSas(): Promise<SaState[]> {
    const replies = await this.run({ action: 'list SAs' }, X.XFRM_MSG_GETSA, Buffer.alloc(0), [], 'dump');
    return replies
      .filter((m) => m.type === X.XFRM_MSG_NEWSA)
      .map((m) => decodeSa(m.payload))
      .filter((sa) => this.owns(sa.reqid));
  }

  private async installPolicy(type: number, verb: string, p: PolicySpec): Promise<PolicyHandle> {
    for (const t of p.templates) this.requireOwned(t.reqid, `${verb} policy`);
    const ctx = { action: `${verb} ${p.dir} policy ${p.selector.src} -> ${p.selector.dst}` };
    const { fixed, attrs } = encodePolicy(p, this.policyOwner);
    const replies = await this.run(ctx, type, fixed, attrs, 'ack');
    const note = replies.find((m) => m.type === X.XFRM_MSG_NEWPOLICY || m.type === X.XFRM_MSG_UPDPOLICY);
    let index: number;
    if (note) {
      index = policyIndexOf(note.payload);
    } else {
      // The notification was dropped (receive queue full): ask by selector.
      const id = encodePolicyId({ dir: p.dir, selector: p.selector, mark: p.mark, ifId: p.ifId }, this.policyOwner);
      const [reply] = await this.run(ctx, X.XFRM_MSG_GETPOLICY, id.fixed, id.attrs, 'single');
      index = reply ? policyIndexOf(reply.payload) : 0;
    }
    const handle: PolicyHandle = { dir: p.dir, index };
    if (p.mark) handle.mark = p.mark;
    if (p.ifId !== undefined) handle.ifId = p.ifId;
    return handle;
  }

  addPolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.installPolicy(X.XFRM_MSG_NEWPOLICY, 'add', policy);
  }

  updatePolicy(policy: PolicySpec): Promise<PolicyHandle> {
    return this.installPolicy(X.XFRM_MSG_UPDPOLICY, 'update', policy);
  }

  async deletePolicy(ref: PolicyRef): Promise<void> {
    const byIndex = 'index' in ref;
    const ctx = {
      action: byIndex ? `delete ${ref.dir} policy index ${ref.index}` : `delete ${ref.dir} policy ${ref.selector.src} -> ${ref.selector.dst}`,
    };
    const { fixed, attrs } = encodePolicyId(ref, this.policyOwner);
    await this.run(ctx, X.XFRM_MSG_DELPOLICY, fixed, attrs, 'ack');
  }

  async listPolicies(): Promise<PolicyState[]> {
    const replies = await this.run({ action: 'list policies' }, X.XFRM_MSG_GETPOLICY, Buffer.alloc(0), [], 'dump');
    return replies
      .filter((m) => m.type === X.XFRM_MSG_NEWPOLICY && policyOwnerOf(m.payload) === this.policyOwner)
      .map((m) => decodePolicy(m.payload));
  }

  async flush(): Promise<{ sas: number; policies: number; routes: number }> {
    const [policies, sas] = await Promise.all([this.listPolicies(), this.listSas()]);
    const gone = (err: unknown): void => {
      if (!(err instanceof KernelError && (err.errno === 'ENOENT' || err.errno === 'ESRCH'))) throw err;
    };
    await Promise.all([
      ...policies.map((p) => this.deletePolicy({ dir: p.dir, index: p.index, ...(p.mark ? { mark: p.mark } : {}), ...(p.ifId !== undefined ? { ifId: p.ifId } : {}) }).catch(gone)),
      ...sas.map((sa) =>
        (sa.spi === 0
          ? this.claimAndDelete({ src: sa.src, dst: sa.dst, proto: sa.proto, reqid: sa.reqid, mode: sa.mode, ...(sa.mark ? { mark: sa.mark } : {}), ...(sa.ifId ? { ifId: sa.ifId } : {}) })
          : this.deleteSa({ dst: sa.dst, spi: sa.spi, proto: sa.proto, ...(sa.mark ? { mark: sa.mark } : {}) })
        ).catch(gone),
      ),
    ]);
    const routes = await this.routeTableHandle().flush().catch((err: unknown) => {
      throw toKernelError(err, { action: 'flush routes' });
    });
    return { sas: sas.length, policies: policies.length, routes };
  }

  async bypassSocket(socket: Socket): Promise<void> {
    const fd = socketFd(socket);
    const family = socket.address().family === 'IPv6' ? 6 : 4;
    const native = loadNative();
    const [level, name] = family === 6 ? [IPPROTO_IPV6, IPV6_XFRM_POLICY] : [IPPROTO_IP, IP_XFRM_POLICY];
    try {
      for (const dir of ['in', 'out'] as const) native.setsockopt(fd, level, name, encodeSocketBypass(dir, family));
    } catch (err) {
      throw toKernelError(err, { action: `exempt IKE socket (fd ${fd}) from IPsec policies` });
    }
  }

  async enableUdpEncap(socket: Socket): Promise<void> {
    const fd = socketFd(socket);
    try {
      loadNative().setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, X.UDP_ENCAP_ESPINUDP);
    } catch (err) {
      throw toKernelError(err, { action: `enable ESP-in-UDP decapsulation on socket fd ${fd}` });
    }
  }

  private routeTableHandle(): RouteTable {
    if (!this.routes) {
      this.routeSocket = new NetlinkSocket(NETLINK_ROUTE, { rcvbufBytes: 1 << 20 });
      this.routes = new RouteTable(this.routeSocket, this.routeTable, this.routeRulePriority);
    }
    return this.routes;
  }

  async addRoute(route: RouteSpec): Promise<void> {
    parsePrefix(route.dst);
    try {
      await this.routeTableHandle().add(route);
    } catch (err) {
      throw toKernelError(err, { action: `add route to ${route.dst} src ${route.src} (table ${this.routeTable})` });
    }
  }

  async deleteRoute(route: RouteSpec): Promise<void> {
    try {
      await this.routeTableHandle().delete(route);
    } catch (err) {
      throw toKernelError(err, { action: `delete route to ${route.dst} (table ${this.routeTable})` });
    }
  }

  async subscribe(listener: KernelEventListener): Promise<() => void> {
    if (!this.events) {
      try {
        this.events = new NetlinkSocket(NETLINK_XFRM, {
          groups: [X.XFRMNLGRP_ACQUIRE, X.XFRMNLGRP_EXPIRE, X.XFRMNLGRP_MAPPING],
          rcvbufBytes: 4 << 20,
        });
      } catch (err) {
        throw toKernelError(err, { action: 'subscribe to xfrm events' });
      }
      this.events.onUnsolicited = (m) => this.onEvent(m);
      this.events.onOverflow = () => {
        for (const l of [...this.listeners]) l({ type: 'lost' });
      };
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private onEvent(m: NetlinkMessage): void {
    let event;
    try {
      event = decodeEvent(m.type, m.payload);
    } catch {
      return; // truncated event: dropped
    }
    if (!event || event.type === 'lost') return;
    const reqid = event.type === 'expire' ? event.sa.reqid : event.reqid;
    if (!this.owns(reqid)) return;
    for (const l of [...this.listeners]) l(event);
  }

  async close(): Promise<void> {
    this.command.close();
    this.events?.close();
    this.routeSocket?.close();
    this.listeners.clear();
  }
}
