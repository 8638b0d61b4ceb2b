// The one place where effects touch the world. Tasks return effects; the
// executor applies them in the order given (tasks put install-child before
// send-response: inbound SA, outbound SA, policies, then the response).
//
// Kernel failures are handled here and nowhere else: a CHILD SA that fails
// to install is rolled back (whatever part of it reached the kernel is
// removed), the response of the same batch is swapped for its
// `ifChildFailed` variant (an error notify instead of the CHILD SA), and a
// `child-failed` event is emitted. The caller (the IKE SA) reads the report
// to update its message-ID window and CHILD SA states.

import { isAlreadyExists, isNotFound, type KernelBackend, type PolicySpec } from '../kernel/backend.js';
import type { Endpoint } from '../net/transport.js';
import type { ChildSaParams } from './child-params.js';
import type { Effect, SaEvent } from './effects.js';
import { installPlan, policySpecs, saRef, saSpecs, type KernelOp } from './kernel-plan.js';
import type { SaTimers } from './timers.js';
import { policyRef, type TrapLookup } from './trap-table.js';

export interface ExecutionContext {
  ikeSaId: number;
  local: Endpoint;
  remote: Endpoint;
  timers: SaTimers;
}

export interface ExecutorPorts {
  kernel: KernelBackend;
  send(local: Endpoint, remote: Endpoint, bytes: Uint8Array): Promise<void>;
  emit(event: SaEvent): void;
  /**
   * Trap policies in force (auto=route, dpdaction=hold): a CHILD SA policy
   * with a trap's selector replaces the trap, and its removal restores it.
   */
  traps?: TrapLookup;
  /**
   * A CHILD SA's policies went into ('up') or out of ('down') the kernel:
   * leftupdown / leftfirewall (src/updown). Must return at once; the
   * script runs later, never on this path. Rekeys share the policies and
   * so fire nothing.
   */
  childFlow?(phase: 'up' | 'down', child: ChildSaParams, ikeSaId: number): void;
}

export interface SentMessage {
  role: 'request' | 'response';
  exchange: string;
  messageId: number;
  datagrams: Uint8Array[];
}

export interface ExecutionReport {
  sent: SentMessage[];
  installed: number[];
  failed: { childId: number; error: string }[];
  deleted: number[];
  /** CHILD SAs whose UDP encapsulation was updated (NAT mapping change). */
  updated: ChildSaParams[];
}

export class Executor {
  /**
   * Installed CHILD SAs per reqid, across all IKE SAs. A conn's policies
   * belong to its reqid: while two CHILD SAs of one conn coexist (a rekey,
   * a reauthentication, duplicates from both ends initiating at once) they
   * share one set of policies, which goes only with the last of them.
   */
  private readonly installedByReqid = new Map<number, Set<number>>();

  constructor(private readonly ports: ExecutorPorts) {}

  private sharing(reqid: number): Set<number> {
    let set = this.installedByReqid.get(reqid);
    if (!set) this.installedByReqid.set(reqid, (set = new Set()));
    return set;
  }

  async apply(effects: readonly Effect[], ctx: ExecutionContext): Promise<ExecutionReport> {
    const report: ExecutionReport = { sent: [], installed: [], failed: [], deleted: [], updated: [] };
    for (const fx of effects) {
      switch (fx.kind) {
        case 'install-child': {
          const siblings = this.sharing(fx.child.reqid);
          // Policies already in place for the reqid are updated, not added (they would exist).
          const shared = siblings.size > 0;
          // Claimed before the first await: two IKE SAs of one conn may install at once.
          siblings.add(fx.child.childId);
          const error = await this.install(fx.child, fx.policies ?? true, fx.outbound ?? true, shared, () => siblings.size > 1);
          if (error !== undefined) siblings.delete(fx.child.childId);
          if (error === undefined) {
            report.installed.push(fx.child.childId);
            this.ports.emit({ type: 'child-installed', ikeSaId: ctx.ikeSaId, childId: fx.child.childId });
            if ((fx.policies ?? true) && !shared) this.ports.childFlow?.('up', fx.child, ctx.ikeSaId);
          } else {
            report.failed.push({ childId: fx.child.childId, error });
            this.ports.emit({
              type: 'child-failed',
              ikeSaId: ctx.ikeSaId,
              childId: fx.child.childId,
              code: 'CHILD_INSTALL_FAILED',
              error: `installing CHILD SA '${fx.child.connName}' in the kernel failed: ${error}`,
            });
          }
          break;
        }
        case 'install-outbound':
          try {
            await this.ports.kernel.addSa(saSpecs(fx.child).outbound);
          } catch (err) {
            this.ports.emit({ type: 'log', ikeSaId: ctx.ikeSaId, level: 'error', message: `installing the outbound SA of CHILD SA '${fx.child.connName}' failed: ${(err as Error).message}` });
          }
          break;
        case 'delete-child': {
          const siblings = this.sharing(fx.child.reqid);
          siblings.delete(fx.child.childId);
          const keepPolicies = (fx.keepPolicies ?? false) || siblings.size > 0;
          if (siblings.size === 0) this.installedByReqid.delete(fx.child.reqid);
          const problems = await this.remove(fx.child, keepPolicies);
          if (!keepPolicies) this.ports.childFlow?.('down', fx.child, ctx.ikeSaId);
          wipeChildKeys(fx.child);
          for (const message of problems) {
            this.ports.emit({ type: 'log', ikeSaId: ctx.ikeSaId, level: 'error', message: `removing CHILD SA '${fx.child.connName}' from the kernel: ${message}` });
          }
          report.deleted.push(fx.child.childId);
          this.ports.emit({ type: 'child-deleted', ikeSaId: ctx.ikeSaId, childId: fx.child.childId });
          break;
        }
        case 'send-request':
          await this.sendAll(ctx, fx.datagrams);
          report.sent.push({ role: 'request', exchange: fx.exchange, messageId: fx.messageId, datagrams: fx.datagrams });
          break;
        case 'send-response': {
          const alternative = report.failed.length > 0 ? fx.ifChildFailed : undefined;
          const datagrams = alternative ? (typeof alternative === 'function' ? alternative() : alternative) : fx.datagrams;
          await this.sendAll(ctx, datagrams);
          report.sent.push({ role: 'response', exchange: fx.exchange, messageId: fx.messageId, datagrams });
          break;
        }
        case 'resend':
          await this.sendAll(ctx, fx.datagrams);
          break;
        case 'release-spi':
          await this.ports.kernel.deleteSa(saRef(fx)).catch(() => undefined);
          break;
        case 'update-child-encap': {
          const { inbound, outbound } = saSpecs(fx.child);
          try {
            await this.ports.kernel.updateSa(inbound);
            await this.ports.kernel.updateSa(outbound);
            report.updated.push(fx.child);
          } catch (err) {
            this.ports.emit({ type: 'log', ikeSaId: ctx.ikeSaId, level: 'error', message: `updating UDP encapsulation of CHILD SA '${fx.child.connName}': ${(err as Error).message}` });
          }
          break;
        }
        case 'arm-timer':
          ctx.timers.arm(fx.timer, fx.ms, fx.qualifier);
          break;
        case 'cancel-timer':
          ctx.timers.cancel(fx.timer, fx.qualifier);
          break;
        case 'emit':
          this.ports.emit(fx.event);
          break;
      }
    }
    return report;
  }

  private async sendAll(ctx: ExecutionContext, datagrams: Uint8Array[]): Promise<void> {
    for (const bytes of datagrams) {
      try {
        await this.ports.send(ctx.local, ctx.remote, bytes);
      } catch (err) {
        // A lost datagram is what retransmission is for; log, don't fail.
        this.ports.emit({
          type: 'log',
          ikeSaId: ctx.ikeSaId,
          level: 'warn',
          message: `sending to ${ctx.remote.address}[${ctx.remote.port}] failed: ${(err as Error).message}`,
        });
      }
    }
  }

  /** Applies the install plan; on failure undoes what was done and returns the reason. */
  private async install(child: ChildSaParams, withPolicies: boolean, withOutbound: boolean, sharedPolicies = false, siblingsNow: () => boolean = () => false): Promise<string | undefined> {
    const done: KernelOp[] = [];
    for (const op of installPlan(child, withPolicies, withOutbound).install) {
      try {
        await this.applyOp(op, sharedPolicies, siblingsNow);
        // Shared policies stay with the sibling CHILD SA if this one is rolled back.
        if (!(sharedPolicies && op.op === 'add-policy')) done.push(op);
      } catch (err) {
        await this.undo(done.reverse());
        return describe(op, err);
      }
    }
    return undefined;
  }

  private async applyOp(op: KernelOp, sharedPolicies = false, siblingsNow: () => boolean = () => false): Promise<void> {
    const kernel = this.ports.kernel;
    if (op.op === 'update-sa') await kernel.updateSa(op.sa);
    else if (op.op === 'add-sa') await kernel.addSa(op.sa);
    else if (sharedPolicies || this.ports.traps?.policyFor(op.policy)) await kernel.updatePolicy(op.policy);
    else {
      try {
        await kernel.addPolicy(op.policy);
      } catch (err) {
        // A CHILD SA of the same reqid, installing at the same time, put it there first: share it.
        if (!isAlreadyExists(err) || !siblingsNow()) throw err;
        await kernel.updatePolicy(op.policy);
      }
    }
  }

  /**
   * Takes a CHILD SA's policy out of the kernel: a trap with the same
   * selector comes back in its place (so the next packet triggers again),
   * anything else is deleted. The trap is looked up again after restoring
   * it, in case the conn was unrouted meanwhile.
   */
  private async removePolicy(policy: PolicySpec): Promise<void> {
    const kernel = this.ports.kernel;
    const trap = this.ports.traps?.policyFor(policy);
    if (trap) {
      await kernel.updatePolicy(trap);
      if (this.ports.traps?.policyFor(policy) === trap) return;
    }
    await kernel.deletePolicy(policyRef(policy));
  }

  private async undo(ops: KernelOp[]): Promise<void> {
    for (const op of ops) {
      // Best effort: the install already failed and is reported; a second
      // failure while cleaning up must not hide the first.
      await (
        op.op === 'add-policy'
          ? this.removePolicy(op.policy)
          : this.ports.kernel.deleteSa(saRef(op.sa))
      ).catch(() => undefined);
    }
  }

  /**
   * Removes policies (out first, so nothing more is steered in), then SAs.
   * Keeps going past failures so one stuck entry does not leave the rest
   * behind; returns what could not be removed.
   */
  private async remove(child: ChildSaParams, keepPolicies: boolean): Promise<string[]> {
    const problems: string[] = [];
    const policies = keepPolicies ? [] : policySpecs(child).sort((a, b) => (a.dir === 'out' ? -1 : 0) - (b.dir === 'out' ? -1 : 0));
    for (const p of policies) {
      const err = await ignoreNotFound(() => this.removePolicy(p));
      if (err) problems.push(`${p.dir} policy ${p.selector.src} -> ${p.selector.dst}: ${err}`);
    }
    const { inbound, outbound } = saSpecs(child);
    for (const sa of [outbound, inbound]) {
      const err = await ignoreNotFound(() => this.ports.kernel.deleteSa(saRef(sa)));
      if (err) problems.push(`SA ${sa.spi.toString(16).padStart(8, '0')}: ${err}`);
    }
    return problems;
  }
}

/** Runs a kernel delete; "already gone" is success, anything else is returned as text. */
async function ignoreNotFound(fn: () => Promise<void>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return isNotFound(err) ? undefined : ((err as Error).message ?? String(err));
  }
}

function describe(op: KernelOp, err: unknown): string {
  const what =
    op.op === 'add-policy'
      ? `${op.policy.dir} policy ${op.policy.selector.src} -> ${op.policy.selector.dst}`
      : `${op.op === 'update-sa' ? 'inbound' : 'outbound'} SA ${op.sa.spi.toString(16).padStart(8, '0')}`;
  return `${what}: ${(err as Error).message ?? String(err)}`;
}

/** The CHILD SA's keys must not outlive it in our memory (the kernel had its own copy). */
function wipeChildKeys(child: ChildSaParams): void {
  for (const keys of [child.inbound, child.outbound]) {
    keys.encryption?.key.fill(0);
    keys.integrity?.key.fill(0);
  }
}
