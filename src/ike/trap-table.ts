// Which conns have trap policies in force, and which kernel policy (by
// direction and selector) belongs to which trap. Plain bookkeeping, no I/O:
// the TrapManager (traps.ts) changes it before it touches the kernel, and
// the executor reads it so a CHILD SA's policies replace a trap and give it
// back when they go (trap-plan.ts explains why they share kernel policies).

import type { PolicySpec } from '../kernel/backend.js';
import { selectorKey } from '../kernel/selector.js';

/** route: auto=route or `ipsec route`; hold: dpdaction=hold / closeaction=hold after the SAs went. */
export type TrapReason = 'route' | 'hold';

export interface Trap {
  conn: string;
  reqid: number;
  reason: TrapReason;
  /** Tunnel endpoints of the templates (left=%any already resolved). */
  local: string;
  remote: string;
  policies: PolicySpec[];
}

/** What names a policy in the kernel: direction, selector, mark and interface ID. */
export type PolicyName = Pick<PolicySpec, 'dir' | 'selector' | 'mark' | 'ifId'>;

/** Kernel identity of a policy of ours: direction, selector, mark, if_id. */
export function policyKey(p: PolicyName): string {
  const mark = p.mark ? `${p.mark.value >>> 0}/${p.mark.mask >>> 0}` : '-';
  return `${p.dir}|${selectorKey(p.selector)}|${mark}|${p.ifId ?? '-'}`;
}

/** The reference deletePolicy takes for it. */
export function policyRef(p: PolicyName): PolicyName {
  return { dir: p.dir, selector: p.selector, ...(p.mark ? { mark: p.mark } : {}), ...(p.ifId !== undefined ? { ifId: p.ifId } : {}) };
}

/** What the executor needs to know about traps. */
export interface TrapLookup {
  /** The trap policy with this name, if a trap owns one. */
  policyFor(p: PolicyName): PolicySpec | undefined;
}

export class TrapTable implements TrapLookup {
  private readonly byConn = new Map<string, Trap>();
  private readonly byPolicy = new Map<string, { conn: string; policy: PolicySpec }>();

  /** The conn that already traps one of these policies (another conn's selectors overlap exactly). */
  conflict(trap: Trap): string | undefined {
    for (const p of trap.policies) {
      const owner = this.byPolicy.get(policyKey(p));
      if (owner && owner.conn !== trap.conn) return owner.conn;
    }
    return undefined;
  }

  set(trap: Trap): void {
    this.remove(trap.conn);
    this.byConn.set(trap.conn, trap);
    for (const policy of trap.policies) this.byPolicy.set(policyKey(policy), { conn: trap.conn, policy });
  }

  remove(conn: string): Trap | undefined {
    const trap = this.byConn.get(conn);
    if (!trap) return undefined;
    this.byConn.delete(conn);
    for (const p of trap.policies) {
      const key = policyKey(p);
      if (this.byPolicy.get(key)?.conn === conn) this.byPolicy.delete(key);
    }
    return trap;
  }

  get(conn: string): Trap | undefined {
    return this.byConn.get(conn);
  }

  byReqid(reqid: number): Trap | undefined {
    for (const trap of this.byConn.values()) if (trap.reqid === reqid) return trap;
    return undefined;
  }

  all(): Trap[] {
    return [...this.byConn.values()];
  }

  policyFor(p: PolicyName): PolicySpec | undefined {
    return this.byPolicy.get(policyKey(p))?.policy;
  }
}
