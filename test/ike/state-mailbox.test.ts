import { describe, expect, it } from 'vitest';
import { childSaStateMachine } from '../../src/ike/child-sa-state.js';
import { ikeSaStateMachine, ikeStatusName } from '../../src/ike/ike-sa-state.js';
import { Mailbox } from '../../src/ike/mailbox.js';

describe('IKE SA state machine', () => {
  it('walks the initiator path and rejects skipping IKE_AUTH', () => {
    const sm = ikeSaStateMachine();
    sm.to('INIT_SENT');
    sm.to('INIT_SENT'); // restart after COOKIE / INVALID_KE_PAYLOAD
    expect(() => sm.to('ESTABLISHED')).toThrow('IKE SA: illegal transition INIT_SENT -> ESTABLISHED');
    sm.to('AUTH_SENT');
    sm.to('ESTABLISHED');
    expect(ikeStatusName(sm.state)).toBe('ESTABLISHED');
    sm.to('DELETING');
    sm.to('DESTROYED');
    expect(sm.can('CREATED')).toBe(false);
    expect(sm.path).toEqual(['CREATED', 'INIT_SENT', 'INIT_SENT', 'AUTH_SENT', 'ESTABLISHED', 'DELETING', 'DESTROYED']);
  });

  it('shows half-open SAs as CONNECTING', () => {
    const sm = ikeSaStateMachine();
    sm.to('INIT_ANSWERED');
    expect(ikeStatusName(sm.state)).toBe('CONNECTING');
  });

  it('CHILD SA cannot be deleted while installing', () => {
    const sm = childSaStateMachine();
    sm.to('INSTALLING');
    expect(() => sm.to('DELETING')).toThrow(/INSTALLING -> DELETING/);
  });
});

describe('Mailbox', () => {
  it('runs jobs one at a time, in order, even across awaits', async () => {
    const box = new Mailbox();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = box.post(async () => {
      log.push('a-start');
      await gate;
      log.push('a-end');
      return 1;
    });
    const second = box.post(() => {
      log.push('b');
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(['a-start']);
    expect(box.depth).toBe(2);
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(log).toEqual(['a-start', 'a-end', 'b']);
  });

  it('a failing job does not block the queue', async () => {
    const box = new Mailbox();
    const failed = box.post(() => {
      throw new Error('boom');
    });
    const after = box.post(() => 'ok');
    await expect(failed).rejects.toThrow('boom');
    expect(await after).toBe('ok');
    await box.idle();
    expect(box.depth).toBe(0);
  });
});
