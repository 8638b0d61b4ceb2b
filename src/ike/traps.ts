// Installs and removes trap policies in the kernel (the effects side of
// on-demand negotiation; trap-plan.ts builds the policies, trap-table.ts
// keeps the books). The table changes first, synchronously, so a CHILD SA
// being installed or removed at the same moment already sees the new state
// (executor.ts); the kernel follows.
//
// A trap policy whose selector a live CHILD SA uses is that CHILD SA's own
// policy in the kernel: routing leaves it alone (the CHILD SA's removal
// will put the trap there), unrouting leaves it to the CHILD SA.

import { isNotFound, type KernelBackend } from '../kernel/backend.js';
import { policyKey, policyRef, type Trap, TrapTable } from './trap-table.js';

/** A trap went into or out of the kernel: the hook for updown's route/unroute verbs. */
export interface TrapChange {
  verb: 'route' | 'unroute';
  trap: Trap;
}

export interface TrapPorts {
  kernel: KernelBackend;
  /** Kernel keys (policyKey) of the policies of CHILD SAs being installed, installed or being deleted. */
  policiesInUse(): Set<string>;
  /** Called after a trap was installed or removed. */
  changed?(change: TrapChange): void;
  /** A kernel policy that could not be removed (logged; removal goes on). */
  problem?(conn: string, message: string): void;
}

export class TrapManager {
  readonly table = new TrapTable();

  constructor(private readonly ports: TrapPorts) {}

  /** Puts the trap in force (replacing one the conn had); returns an error text when the kernel refused. */
  async install(trap: Trap): Promise<string | undefined> {
    const other = this.table.conflict(trap);
    if (other) return `conn '${other}' already traps the same traffic selectors`;
    const previous = this.table.get(trap.conn);
    this.table.set(trap);
    const inUse = this.ports.policiesInUse();
    const done = [];
    for (const policy of trap.policies) {
      if (inUse.has(policyKey(policy))) continue;
      try {
        // update = add or replace: the same selector may still hold our
        // previous trap of this conn (a changed conn on reload).
        await this.ports.kernel.updatePolicy(policy);
        done.push(policy);
      } catch (err) {
        this.table.remove(trap.conn);
        for (const p of done) await this.ports.kernel.deletePolicy(policyRef(p)).catch(() => undefined);
        return `${policy.dir} trap policy ${policy.selector.src} -> ${policy.selector.dst}: ${(err as Error).message}`;
      }
    }
    if (previous) await this.removeStale(previous, trap);
    this.ports.changed?.({ verb: 'route', trap });
    return undefined;
  }

  /** Takes the conn's trap out of force; returns it, or undefined when it had none. */
  async remove(conn: string): Promise<Trap | undefined> {
    const trap = this.table.remove(conn);
    if (!trap) return undefined;
    await this.deleteUnused(trap.conn, trap.policies);
    this.ports.changed?.({ verb: 'unroute', trap });
    return trap;
  }

  /** Every trap out (shutdown, before the SAs go, so their removal leaves nothing behind). */
  async removeAll(): Promise<void> {
    for (const trap of this.table.all()) await this.remove(trap.conn);
  }

  /** Policies of the conn's previous trap that the new one does not have. */
  private async removeStale(previous: Trap, now: Trap): Promise<void> {
    const kept = new Set(now.policies.map((p) => policyKey(p)));
    await this.deleteUnused(now.conn, previous.policies.filter((p) => !kept.has(policyKey(p))));
  }

  private async deleteUnused(conn: string, policies: Trap['policies']): Promise<void> {
    const inUse = this.ports.policiesInUse();
    for (const p of policies) {
      if (inUse.has(policyKey(p))) continue;
      await this.ports.kernel.deletePolicy(policyRef(p)).catch((err: unknown) => {
        if (!isNotFound(err)) this.ports.problem?.(conn, `removing ${p.dir} trap policy ${p.selector.src} -> ${p.selector.dst}: ${(err as Error).message}`);
      });
    }
  }
}
