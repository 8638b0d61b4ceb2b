import { describe, expect, it } from 'vitest';
import { RequestWindow, ResponseWindow } from '../../src/ike/message-window.js';
import { retransmitBudget, retransmitWait, type RetransmitPolicy } from '../../src/ike/retransmit-policy.js';

const policy: RetransmitPolicy = { timeoutMs: 1000, base: 2, tries: 3 };
const bytes = (...b: number[]) => new Uint8Array(b);

describe('retransmit policy', () => {
  it('backs off exponentially', () => {
    expect([0, 1, 2, 3].map((n) => retransmitWait(policy, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retransmitBudget(policy)).toBe(15000);
    expect(retransmitWait({ ...policy, maxWaitMs: 3000 }, 3)).toBe(3000);
  });
});

describe('RequestWindow', () => {
  it('allocates consecutive IDs and refuses a second request in flight', () => {
    const w = new RequestWindow(policy);
    const id = w.allocate();
    expect(id).toBe(0);
    expect(w.sent(id, [bytes(1)], 'IKE_SA_INIT')).toBe(1000);
    expect(() => w.allocate()).toThrow(/still in flight/);
    expect(w.matches(1)).toBe(false);
    expect(w.matches(0)).toBe(true);
    w.complete();
    expect(w.allocate()).toBe(1);
  });

  it('resends the same bytes with growing waits, then gives up', () => {
    const w = new RequestWindow(policy);
    w.sent(w.allocate(), [bytes(7, 7)], 'IKE_AUTH');
    const steps = [w.onTimeout(), w.onTimeout(), w.onTimeout()];
    expect(steps.map((s) => (s.action === 'resend' ? s.waitMs : -1))).toEqual([2000, 4000, 8000]);
    expect(steps[0]?.action === 'resend' && steps[0].datagrams[0]).toEqual(bytes(7, 7));
    const last = w.onTimeout();
    expect(last.action).toBe('give-up');
    expect(w.busy).toBe(false);
    expect(w.onTimeout().action).toBe('none');
  });
});

describe('ResponseWindow', () => {
  it('answers a retransmitted request from the cache, by bytes', () => {
    const w = new ResponseWindow();
    const req = bytes(1, 2, 3);
    expect(w.classify(0, req)).toEqual({ kind: 'new' });
    w.accept(0, req);
    expect(w.classify(0, bytes(1, 2, 3))).toEqual({ kind: 'in-progress' });
    w.remember(0, [bytes(9)]);
    expect(w.classify(0, bytes(1, 2, 3))).toEqual({ kind: 'retransmit', datagrams: [bytes(9)] });
    expect(w.classify(0, bytes(1, 2, 4)).kind).toBe('invalid');
    expect(w.classify(1, bytes(5)).kind).toBe('new');
    expect(w.classify(5, bytes(5))).toEqual({ kind: 'invalid', reason: 'message ID 5, expected 1' });
  });

  it('forgets the older response once the next request is accepted', () => {
    const w = new ResponseWindow();
    w.accept(0, bytes(1));
    w.remember(0, [bytes(2)]);
    w.accept(1, bytes(3));
    expect(w.classify(0, bytes(1)).kind).toBe('invalid');
  });
});
