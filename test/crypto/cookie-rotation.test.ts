// COOKIE secret rotation on a clock (RFC 7296 §2.6): a cookie is accepted
// in the period it was made and the next one, and refused after that.
import { describe, expect, it } from 'vitest';
import { CookieGenerator } from '../../src/crypto/cookie.js';
import { ManualClock } from '../../src/ike/clock.js';

const input = { nonceI: Buffer.alloc(32, 5), initiatorAddress: '100.64.3.4', spiI: Buffer.from('1112131415161718', 'hex') };

function jarOn(clock: ManualClock, lifetimeMs: number, rotations: number[] = []) {
  return new CookieGenerator({ now: () => clock.now(), lifetimeMs, onRotate: (v) => rotations.push(v) });
}

describe('COOKIE secret lifetime', () => {
  it('old cookies are accepted for one period, then rejected', () => {
    const clock = new ManualClock();
    const rotations: number[] = [];
    const jar = jarOn(clock, 60_000, rotations);
    clock.advance(10_000);
    const cookie = jar.generate(input);
    if (!cookie.ok) throw cookie.error;
    expect(cookie.value.readUInt32BE(0)).toBe(1);
    clock.advance(49_999); // 59.999 s: same period
    expect(jar.version).toBe(1);
    expect(jar.verify(cookie.value, input).ok).toBe(true);
    clock.advance(1); // 60 s: new secret, the old one is still accepted
    expect(jar.version).toBe(2);
    expect(jar.verify(cookie.value, input).ok).toBe(true);
    const fresh = jar.generate(input);
    expect(fresh.ok && fresh.value.readUInt32BE(0)).toBe(2);
    clock.advance(59_999); // 119.999 s: still one period old
    expect(jar.verify(cookie.value, input).ok).toBe(true);
    clock.advance(1); // 120 s: two rotations since it was made
    const late = jar.verify(cookie.value, input);
    expect(!late.ok && late.error.message).toBe('COOKIE made with an expired secret');
    expect(rotations).toEqual([2, 3]);
  });

  it('after two idle periods neither old secret survives; the version counts the periods', () => {
    const clock = new ManualClock();
    const rotations: number[] = [];
    const jar = jarOn(clock, 1_000, rotations);
    const cookie = jar.generate(input);
    if (!cookie.ok) throw cookie.error;
    clock.advance(5_500);
    expect(jar.verify(cookie.value, input).ok).toBe(false);
    expect(jar.version).toBe(6);
    expect(rotations).toEqual([6]);
    clock.advance(499); // the period boundary stays on the original grid (6 s)
    expect(jar.version).toBe(6);
    clock.advance(1);
    expect(jar.version).toBe(7);
  });

  it('without a lifetime only rotate() rotates', () => {
    const clock = new ManualClock();
    const jar = new CookieGenerator({ now: () => clock.now() });
    clock.advance(10 * 86_400_000);
    expect(jar.version).toBe(1);
    jar.rotate();
    expect(jar.version).toBe(2);
  });

  it('a shorter lifetime set later applies from the current secret age', () => {
    const clock = new ManualClock();
    const jar = jarOn(clock, 60_000);
    clock.advance(30_000);
    jar.setLifetime(10_000);
    expect(jar.version).toBe(4); // 30 s old at 10 s periods: three rotations due
  });
});
