// ipsec.conf settings as the IKE layer's conn carries them: the
// retransmission schedule from retransmit-interval / retransmit-timeout
// (Libreswan) and retransmit-limit (nodeswan), and pfs=no.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { connFromConfig, doublingRetransmits } from '../../src/ike/conn-from-config.js';
import { retransmitBudget, retransmitWait } from '../../src/ike/retransmit-policy.js';
import { KE, TransformType } from '../../src/wire/iana/transforms.js';

function conn(lines: string) {
  const r = loadConfig('/etc/ipsec.conf', { text: `conn a\n  left=192.0.2.1\n  right=192.0.2.2\n  authby=secret\n${lines}` });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return connFromConfig(r.model!.conns[0]!);
}

describe('retransmit-interval and retransmit-timeout', () => {
  it('without them the default schedule applies (no policy on the conn)', () => {
    expect(conn('').retransmit).toBeUndefined();
  });

  it('the first wait doubles until the waits cover retransmit-timeout', () => {
    const policy = conn('  retransmit-interval=250\n  retransmit-timeout=10s\n').retransmit!;
    expect(policy).toEqual({ timeoutMs: 250, base: 2, tries: 5 });
    expect([0, 1, 2, 3, 4, 5].map((n) => retransmitWait(policy, n))).toEqual([250, 500, 1000, 2000, 4000, 8000]);
    expect(retransmitBudget(policy)).toBeGreaterThanOrEqual(10_000);
    expect(retransmitBudget({ ...policy, tries: 4 })).toBeLessThan(10_000);
  });

  it('one of them alone: Libreswan defaults for the other (500 ms, 60 s)', () => {
    expect(conn('  retransmit-timeout=3s\n').retransmit).toEqual(doublingRetransmits(500, 3000));
    expect(conn('  retransmit-interval=1000\n').retransmit).toEqual(doublingRetransmits(1000, 60_000));
    expect(doublingRetransmits(500, 3000)).toEqual({ timeoutMs: 500, base: 2, tries: 2 });
  });

  it('retransmit-limit caps each wait, so the timeout holds evenly spaced retransmissions', () => {
    const policy = conn('  retransmit-interval=500\n  retransmit-timeout=60s\n  retransmit-limit=2s\n').retransmit!;
    expect([0, 1, 2, 3, 10].map((n) => retransmitWait(policy, n))).toEqual([500, 1000, 2000, 2000, 2000]);
    // 0.5 + 1 + 2 x 29 = 59.5 s < 60 s, so a 30th wait of 2 s: 31 retransmissions, 32 sends.
    expect(policy.tries).toBe(31);
    expect(retransmitBudget(policy)).toBe(61_500);
    expect(retransmitBudget({ ...policy, tries: 30 })).toBeLessThan(60_000);
  });

  it('retransmit-limit alone keeps the other two at their defaults', () => {
    expect(conn('  retransmit-limit=4s\n').retransmit).toEqual(doublingRetransmits(500, 60_000, 4000));
  });
});

describe('pfs=no', () => {
  it('drops the key exchange from the CHILD SA proposals; pfs=yes (the default) keeps it', () => {
    const groups = (lines: string) => conn(`  esp=aes256gcm16-ecp384,aes128gcm16-ecp256!\n${lines}`).childProposals.map((p) => p.transforms.filter((t) => t.type === TransformType.KE).map((t) => t.id));
    expect(groups('')).toEqual([[KE.ECP_384], [KE.ECP_256]]);
    expect(groups('  pfs=no\n')).toEqual([[], []]);
  });
});
