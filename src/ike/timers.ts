// Per-SA timers, named after the protocol event they stand for. Arming a
// name that is already armed replaces it, so a task can re-arm without
// remembering handles; cancelAll() runs when the SA is destroyed.

import type { Clock, TimerHandle } from './clock.js';

export type TimerName =
  | 'retransmit' // our outstanding request got no answer (RFC 7296 §2.1)
  | 'half-open-expire' // responder: IKE_SA_INIT answered but no IKE_AUTH came
  | 'ike-rekey'
  | 'ike-expire'
  | 'child-rekey'
  | 'child-expire'
  | 'dpd' // liveness check due (RFC 7296 §2.4)
  | 'inactivity' // inactivity=: look for idle CHILD SAs
  | 'keepalive'; // NAT keepalive (RFC 3948 §4)

export class SaTimers {
  private readonly armed = new Map<string, TimerHandle>();
  /** Clock time (ms) each armed timer fires at (status shows rekey times). */
  private readonly due = new Map<string, number>();
  constructor(
    private readonly clock: Clock,
    private readonly onFire: (name: TimerName, key: string) => void,
  ) {}

  /** Arm `name` (optionally per child: key `child-rekey:5`) to fire in `ms`. */
  arm(name: TimerName, ms: number, qualifier?: string): void {
    const key = qualifier === undefined ? name : `${name}:${qualifier}`;
    this.armed.get(key)?.cancel();
    const handle = this.clock.setTimer(ms, () => {
      if (this.armed.get(key) !== handle) return;
      this.armed.delete(key);
      this.due.delete(key);
      this.onFire(name, key);
    });
    this.armed.set(key, handle);
    this.due.set(key, this.clock.now() + Math.max(0, ms));
  }
  cancel(name: TimerName, qualifier?: string): void {
    const key = qualifier === undefined ? name : `${name}:${qualifier}`;
    this.armed.get(key)?.cancel();
    this.armed.delete(key);
    this.due.delete(key);
  }
  isArmed(name: TimerName, qualifier?: string): boolean {
    return this.armed.has(qualifier === undefined ? name : `${name}:${qualifier}`);
  }
  /** Clock time (ms) the timer fires at; undefined when it is not armed. */
  dueAt(name: TimerName, qualifier?: string): number | undefined {
    return this.due.get(qualifier === undefined ? name : `${name}:${qualifier}`);
  }
  cancelAll(): void {
    for (const handle of this.armed.values()) handle.cancel();
    this.armed.clear();
    this.due.clear();
  }
}
