import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/ike/clock.js';
import { SaTimers, type TimerName } from '../../src/ike/timers.js';

describe('ManualClock', () => {
  it('fires timers in due order, only when time reaches them', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('c'));
    clock.setTimer(100, () => fired.push('a'));
    clock.setTimer(100, () => fired.push('b'));
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(100);
    clock.advance(500);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(600);
  });

  it('fires timers armed by a firing timer within the same advance', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    clock.setTimer(10, () => {
      at.push(clock.now());
      clock.setTimer(10, () => at.push(clock.now()));
    });
    clock.advance(25);
    expect(at).toEqual([10, 20]);
  });

  it('does not fire cancelled timers', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(10, () => (fired = true)).cancel();
    clock.advance(20);
    expect(fired).toBe(false);
    expect(clock.armed).toBe(0);
  });
});

describe('SaTimers', () => {
  it('re-arming a name replaces the earlier deadline', () => {
    const clock = new ManualClock();
    const fired: [TimerName, string][] = [];
    const timers = new SaTimers(clock, (name, key) => fired.push([name, key]));
    timers.arm('retransmit', 1000);
    clock.advance(500);
    timers.arm('retransmit', 1000);
    clock.advance(600);
    expect(fired).toEqual([]);
    clock.advance(400);
    expect(fired).toEqual([['retransmit', 'retransmit']]);
    expect(timers.isArmed('retransmit')).toBe(false);
  });

  it('keeps qualified timers apart and cancels all on destroy', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const timers = new SaTimers(clock, (_n, key) => fired.push(key));
    timers.arm('child-rekey', 10, '1');
    timers.arm('child-rekey', 20, '2');
    timers.cancel('child-rekey', '1');
    clock.advance(30);
    expect(fired).toEqual(['child-rekey:2']);
    timers.arm('dpd', 10);
    timers.cancelAll();
    clock.advance(30);
    expect(fired).toEqual(['child-rekey:2']);
  });
});
