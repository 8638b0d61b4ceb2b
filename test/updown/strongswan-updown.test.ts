// "Existing scripts keep working": strongSwan's own _updown script (from
// the strongswan packages scripts/setup.sh installs for the interop lab)
// run with the environment nodeswan builds. Without arguments it checks
// PLUTO_VERSION and dispatches on PLUTO_VERB, failing on anything it does
// not know; the iptables branch is not run (no iptables on this host).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/updown/script-runner.js';
import { updownInvocations } from '../../src/updown/updown-env.js';
import type { UpdownEvent, UpdownSelector } from '../../src/updown/updown-event.js';

const STRONGSWAN_UPDOWN = '/usr/lib/ipsec/_updown';

function ts(start: string, end = start): UpdownSelector {
  return { protocol: 0, startPort: 0, endPort: 65535, startAddress: start, endAddress: end };
}

function event(phase: UpdownEvent['phase'], v6: boolean, host: boolean): UpdownEvent {
  const [me, peer] = v6 ? ['2001:db8::1', '2001:db8::2'] : ['192.0.2.1', '192.0.2.2'];
  const [mine, theirs] = host ? [ts(me), ts(peer)] : v6 ? [ts('2001:db8:1::', '2001:db8:1::ffff'), ts('2001:db8:2::', '2001:db8:2::ffff')] : [ts('198.51.100.0', '198.51.100.255'), ts('203.0.113.0', '203.0.113.255')];
  return {
    phase,
    conn: 'office',
    script: STRONGSWAN_UPDOWN,
    firewall: false,
    hostAccess: false,
    reqid: 1,
    protocol: 'esp',
    mode: host ? 'transport' : 'tunnel',
    uniqueId: 1,
    me,
    peer,
    myId: 'moon.example',
    peerId: 'sun.example',
    myTs: [mine],
    peerTs: [theirs],
  };
}

describe("strongSwan's _updown with nodeswan's environment", () => {
  it('is installed (strongswan packages, scripts/setup.sh)', () => {
    expect(existsSync(STRONGSWAN_UPDOWN)).toBe(true);
  });

  for (const v6 of [false, true]) {
    for (const host of [true, false]) {
      it(`accepts up and down for ${host ? 'host' : 'client'}${v6 ? ' over IPv6' : ''}`, async () => {
        for (const phase of ['up', 'down'] as const) {
          const [inv] = updownInvocations(event(phase, v6, host));
          expect(inv!.verb).toBe(`${phase}-${host ? 'host' : 'client'}${v6 ? '-v6' : ''}`);
          const result = await runScript(STRONGSWAN_UPDOWN, inv!.env, { timeoutMs: 10_000 });
          expect({ code: result.code, lines: result.lines }).toEqual({ code: 0, lines: [] });
        }
      });
    }
  }

  it('rejects the route verb, as docs/updown.md warns', async () => {
    const [inv] = updownInvocations(event('route', false, false));
    const result = await runScript(STRONGSWAN_UPDOWN, inv!.env, { timeoutMs: 10_000 });
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).toContain("unknown verb `route-client'");
  });
});
