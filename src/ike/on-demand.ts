// On-demand negotiation: conns whose traffic is trapped in the kernel
// (auto=route, `ipsec route`, and dpdaction=hold / closeaction=hold after
// the SAs went) and what the kernel's ACQUIRE starts. The engine delegates
// here; the trap policies themselves are trap-plan.ts, their books
// trap-table.ts, their kernel effects traps.ts.
//
// The kernel sends one ACQUIRE per (policy template) while the first one is
// pending (its larval state holds the packets back for up to 30 s), but
// several can still arrive for one conn (several selectors, in and out of
// the larval lifetime): a conn that is already negotiating, or up, is not
// started again.

import type { RouteResult, UpResult } from '../daemon/engine.js';
import type { KernelBackend, KernelEvent } from '../kernel/backend.js';
import type { IkeConn } from './conn.js';
import type { IkeSa } from './ike-sa.js';
import { familyOf } from './ip.js';
import { policySpecs } from './kernel-plan.js';
import { trapPolicies } from './trap-plan.js';
import { policyKey, type Trap, type TrapReason } from './trap-table.js';
import { TrapManager, type TrapChange } from './traps.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface OnDemandPorts {
  kernel: KernelBackend;
  conn(name: string): IkeConn | undefined;
  reqidFor(conn: IkeConn): number;
  /** left=, or for left=%any the address we would initiate from. */
  localAddress(conn: IkeConn): Promise<string>;
  sas(): IkeSa[];
  up(name: string): Promise<UpResult>;
  log(level: Level, message: string, conn?: string): void;
  /** Trap installed/removed (updown's route/unroute verbs hook in here). */
  changed?(change: TrapChange): void;
}

export class OnDemand {
  readonly traps: TrapManager;
  /** Conns whose negotiation an ACQUIRE started and that has not ended yet. */
  private readonly acquiring = new Set<string>();

  constructor(private readonly ports: OnDemandPorts) {
    this.traps = new TrapManager({
      kernel: ports.kernel,
      policiesInUse: () => this.policiesInUse(),
      problem: (conn, message) => ports.log('error', message, conn),
      ...(ports.changed ? { changed: ports.changed } : {}),
    });
  }

  /** `ipsec route NAME` / auto=route: install the conn's trap policies. */
  async route(name: string, reason: TrapReason = 'route'): Promise<RouteResult> {
    const conn = this.ports.conn(name);
    if (!conn) return { ok: false, error: `no conn named '${name}' is loaded` };
    if (!familyOf(conn.remoteAddress)) {
      return { ok: false, error: `conn '${name}' has right=${conn.remoteAddress}: traffic cannot start a negotiation without a peer address (set right= to the peer's address)` };
    }
    return this.install(conn, await this.ports.localAddress(conn), reason);
  }

  /** `ipsec unroute NAME`: remove the conn's trap policies (its SAs stay). */
  async unroute(name: string): Promise<RouteResult> {
    const trap = await this.traps.remove(name);
    if (!trap) return { ok: false, error: `conn '${name}' is not routed` };
    this.ports.log('info', `trap policies of conn '${name}' removed`, name);
    return { ok: true };
  }

  trapOf(name: string): Trap | undefined {
    return this.traps.table.get(name);
  }

  /** Traffic hit a trap: negotiate its conn unless that is under way or done. */
  acquire(event: Extract<KernelEvent, { type: 'acquire' }>): void {
    const trap = this.traps.table.byReqid(event.reqid);
    const what = `${event.packet.src} -> ${event.packet.dst}`;
    if (!trap) {
      this.ports.log('debug', `kernel ACQUIRE for ${what} (reqid ${event.reqid}) matches no trapped conn; ignored`);
      return;
    }
    const name = trap.conn;
    if (this.acquiring.has(name) || this.busy(name)) {
      this.ports.log('debug', `kernel ACQUIRE for ${what}: conn '${name}' is already negotiating or up`, name);
      return;
    }
    this.acquiring.add(name);
    this.ports.log('info', `traffic ${what} hit the trap of conn '${name}': negotiating`, name);
    void this.ports
      .up(name)
      .then((result) => {
        if (!result.ok) this.ports.log('warn', `on-demand negotiation of conn '${name}' failed: ${result.error ?? 'unknown reason'}; the next packet tries again`, name);
      })
      .finally(() => this.acquiring.delete(name));
  }

  /**
   * The peer deleted these conns' CHILD SAs, or is dead. hold: the conn's
   * traffic is trapped (before the SAs' policies go, so nothing leaks in
   * the clear); restart (closeaction only; dpdaction=restart is the
   * engine's): the conn is negotiated again once the IKE SA is done.
   */
  closing(sa: IkeSa, cause: 'dead-peer' | 'peer-deleted', names: readonly string[]): void {
    for (const name of names) {
      const conn = this.ports.conn(name);
      if (!conn) continue;
      const action = cause === 'dead-peer' ? conn.dpdAction : conn.closeAction;
      const setting = cause === 'dead-peer' ? 'dpdaction' : 'closeaction';
      if (action === 'hold' && !this.trapOf(name)) {
        this.ports.log('info', `${setting}=hold: trapping the traffic of conn '${name}' until it is negotiated again`, name);
        void this.install(conn, sa.data.local.address, 'hold');
      } else if (action === 'restart' && cause === 'peer-deleted') {
        this.ports.log('info', `closeaction=restart: negotiating conn '${name}' again`, name);
        void this.restartAfter(sa, name);
      }
    }
  }

  /** Reload: traps of removed and changed conns go before their SAs do. */
  async unrouteAll(names: readonly string[]): Promise<void> {
    for (const name of names) if (this.trapOf(name)) await this.unroute(name);
  }

  /** Reload / first load: auto=route conns get their traps. */
  async routeAuto(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (this.ports.conn(name)?.auto !== 'route') continue;
      const result = await this.route(name);
      if (!result.ok) this.ports.log('error', `auto=route: cannot route conn '${name}': ${result.error}`, name);
    }
  }

  private async install(conn: IkeConn, local: string, reason: TrapReason): Promise<RouteResult> {
    const reqid = this.ports.reqidFor(conn);
    const trap: Trap = { conn: conn.name, reqid, reason, local, remote: conn.remoteAddress, policies: trapPolicies(conn, reqid, local) };
    const error = await this.traps.install(trap);
    if (error) {
      this.ports.log('error', `cannot install the trap policies of conn '${conn.name}': ${error}`, conn.name);
      return { ok: false, error: `cannot route conn '${conn.name}': ${error}` };
    }
    this.ports.log('info', `trap policies of conn '${conn.name}' installed (${reason}); the first packet starts the negotiation`, conn.name);
    return { ok: true };
  }

  /** A CHILD SA whose IKE SA carries nothing else: end the IKE SA too, then start over. */
  private async restartAfter(sa: IkeSa, name: string): Promise<void> {
    await sa.idle();
    const carriesMore = sa.data.children.some((c) => c.state.is('INSTALLING', 'INSTALLED'));
    if (!sa.destroyed && !carriesMore) {
      await sa.delete();
      await sa.closed;
    }
    if (this.ports.conn(name) && !this.busy(name)) await this.ports.up(name);
  }

  /** The conn has an IKE SA that is negotiating, or one that carries a CHILD SA. */
  private busy(name: string): boolean {
    return this.ports.sas().some((sa) => {
      if (sa.data.conn?.name !== name || sa.destroyed || sa.data.state.is('DELETING')) return false;
      if (!sa.data.state.is('ESTABLISHED')) return true;
      return sa.data.children.some((c) => c.state.is('INSTALLING', 'INSTALLED'));
    });
  }

  /** Kernel keys of the policies CHILD SAs hold now (a trap must not take them away). */
  private policiesInUse(): Set<string> {
    const keys = new Set<string>();
    for (const sa of this.ports.sas()) {
      for (const c of sa.data.children) {
        if (!c.state.is('INSTALLING', 'INSTALLED', 'DELETING')) continue;
        for (const p of policySpecs(c.params)) keys.add(policyKey(p));
      }
    }
    return keys;
  }
}
