// The daemon's timer heap (SystemClock): due order, cancellation that
// removes the entry at once, timers armed by a firing callback.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimerQueue } from '../../src/ike/timer-queue.js';

describe('TimerQueue', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('fires in due order (ties in arming order) and forgets cancelled timers at once', () => {
    const q = new TimerQueue(() => Date.now());
    const fired: string[] = [];
    q.add(3000, () => fired.push('c'));
    q.add(1000, () => fired.push('a'));
    const b = q.add(2000, () => fired.push('b'));
    q.add(1000, () => fired.push('a2'));
    const gone = q.add(1500, () => fired.push('never'));
    gone.cancel();
    gone.cancel();
    expect(q.size).toBe(4);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a', 'a2']);
    b.cancel();
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual(['a', 'a2', 'c']);
    expect(q.size).toBe(0);
  });

  it('runs a timer armed by a callback on a later round, and a cancel from a callback holds', () => {
    const q = new TimerQueue(() => Date.now());
    const fired: string[] = [];
    let second: { cancel(): void } | undefined;
    q.add(100, () => {
      fired.push('first');
      second?.cancel();
      q.add(0, () => fired.push('rearmed'));
    });
    second = q.add(100, () => fired.push('second'));
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['first']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['first', 'rearmed']);
    expect(q.size).toBe(0);
  });

  it('keeps the heap ordered through many random arms and cancels', () => {
    const q = new TimerQueue(() => Date.now());
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 500; i++) {
      const at = (i * 7919) % 1000;
      handles.push({ at, h: q.add(at, () => fired.push(at)) });
    }
    for (let i = 0; i < 500; i += 3) handles[i]!.h.cancel();
    vi.advanceTimersByTime(1000);
    const expected = handles.filter((_, i) => i % 3 !== 0).map((x) => x.at).sort((a, b) => a - b);
    expect(fired).toEqual(expected);
  });
});
