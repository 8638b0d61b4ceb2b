// All protocol timers of the daemon in one binary heap, behind a single
// Node timer for the earliest one. Each IKE SA arms a few long timers
// (rekey in hours, DPD, half-open expiry) with fuzzed, nearly unique
// durations; as separate setTimeout calls each cost a Timeout object and,
// because Node groups timers by duration, usually a timer list of its own
// (about 1 KiB per SA). Here a timer is one small entry; cancelling removes
// it from the heap at once, so a cancelled timer never keeps its SA alive.

import type { TimerHandle } from './clock.js';

class QueuedTimer implements TimerHandle {
  /** Position in the heap; -1 once fired or cancelled. */
  index = -1;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fire: () => void,
    private readonly queue: TimerQueue,
  ) {}
  cancel(): void {
    this.queue.remove(this);
  }
}

export class TimerQueue {
  private readonly heap: QueuedTimer[] = [];
  private seq = 0;
  private node?: NodeJS.Timeout;
  /** Due time of the armed Node timer. */
  private nodeAt = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.heap.length;
  }

  add(ms: number, fire: () => void): TimerHandle {
    const timer = new QueuedTimer(this.now() + Math.max(0, ms), this.seq++, fire, this);
    timer.index = this.heap.length;
    this.heap.push(timer);
    this.up(timer.index);
    this.schedule();
    return timer;
  }

  remove(timer: QueuedTimer): void {
    const i = timer.index;
    if (i < 0) return;
    timer.index = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    // The Node timer may now be early; it finds nothing due and re-arms.
  }

  private schedule(): void {
    const first = this.heap[0];
    if (!first) {
      if (this.node) clearTimeout(this.node);
      this.node = undefined;
      this.nodeAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.node && this.nodeAt <= first.at) return;
    if (this.node) clearTimeout(this.node);
    this.nodeAt = first.at;
    this.node = setTimeout(() => this.run(), Math.max(0, first.at - this.now()));
    // Protocol timers never keep the process alive on their own.
    this.node.unref();
  }

  private run(): void {
    this.node = undefined;
    this.nodeAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    // Timers armed by the callbacks below wait for the next round, as with
    // setTimeout; one cancelled by an earlier callback is already gone.
    const armedBefore = this.seq;
    for (;;) {
      const first = this.heap[0];
      if (!first || first.at > now || first.seq >= armedBefore) break;
      this.remove(first);
      first.fire();
    }
    this.schedule();
  }

  private less(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const timer = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(timer, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = timer;
    timer.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const timer = heap[i]!;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right]!, heap[left]!) ? right : left;
      const c = heap[child]!;
      if (!this.less(c, timer)) break;
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = timer;
    timer.index = i;
  }
}
