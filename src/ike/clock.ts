// Time as an injected dependency. The daemon uses SystemClock; tests use
// ManualClock and move time forward explicitly, so retransmission and
// lifetime behaviour is tested without sleeping.

import { TimerQueue } from './timer-queue.js';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin (monotonic for SystemClock). */
  now(): number;
  /** Wall-clock time for status output (ISO strings). */
  wallTime(): Date;
  setTimer(ms: number, fire: () => void): TimerHandle;
}

export class SystemClock implements Clock {
  // One heap behind one unref'd Node timer (timer-queue.ts): protocol timers
  // never keep the process alive on their own (the sockets and the control
  // server do), and thousands of SAs' timers cost an entry each.
  private readonly timers = new TimerQueue(() => this.now());
  now(): number {
    return performance.now();
  }
  wallTime(): Date {
    return new Date();
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    return this.timers.add(ms, fire);
  }
}

interface PendingTimer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in due order. */
export class ManualClock implements Clock {
  private current = 0;
  private seq = 0;
  private pending: PendingTimer[] = [];
  constructor(private readonly epoch = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }
  wallTime(): Date {
    return new Date(this.epoch + this.current);
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
  /** Number of timers still due to fire. */
  get armed(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }
  /** Milliseconds until the next live timer, or undefined when none. */
  nextIn(): number | undefined {
    const live = this.pending.filter((t) => !t.cancelled);
    if (live.length === 0) return undefined;
    return Math.min(...live.map((t) => t.at)) - this.current;
  }
  /** Move time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.pending = this.pending.filter((t) => !t.cancelled);
      const due = this.pending
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.current = due.at;
      due.fire();
    }
    this.current = target;
  }
}
