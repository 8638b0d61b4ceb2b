// leftupdown / leftfirewall / lefthostaccess from ipsec.conf to the IKE
// core's conn and on to the route/unroute events.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { connFromConfig } from '../../src/ike/conn-from-config.js';
import { routeUpdownEvent } from '../../src/ike/updown-events.js';
import { updownInvocations } from '../../src/updown/updown-env.js';

function load(text: string) {
  return loadConfig('/etc/ipsec.conf', { text });
}

describe('updown settings from ipsec.conf', () => {
  it('takes leftupdown with its arguments, leftfirewall and lefthostaccess', () => {
    const r = load('conn a\n  left=192.0.2.1\n  right=192.0.2.2\n  leftsubnet=198.51.100.0/24\n  rightsubnet=203.0.113.0/24\n  leftupdown="/etc/ipsec.d/updown.sh --log /tmp/x"\n  lefthostaccess=yes\n  authby=secret\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const conn = connFromConfig(r.model!.conns[0]!);
    expect(conn).toMatchObject({ updown: '/etc/ipsec.d/updown.sh --log /tmp/x', hostAccess: true });
    expect(conn.firewall).toBeUndefined();

    const fw = connFromConfig(load('conn b\n  left=192.0.2.1\n  right=192.0.2.2\n  leftfirewall=yes\n  authby=secret\n').model!.conns[0]!);
    expect(fw).toMatchObject({ firewall: true });
    expect(fw.updown).toBeUndefined();
  });

  it('refuses leftfirewall=yes together with leftupdown=, as strongSwan documents', () => {
    const r = load('conn a\n  left=192.0.2.1\n  right=192.0.2.2\n  leftupdown=/bin/true\n  leftfirewall=yes\n  authby=secret\n');
    expect(r.diagnostics.map((d) => d.code)).toContain('firewall-with-updown');
  });

  it('builds route/unroute events from the configured selectors', () => {
    const conn = connFromConfig(load('conn a\n  left=192.0.2.1\n  right=192.0.2.2\n  leftsubnet=198.51.100.0/24\n  leftupdown=/bin/true\n  authby=secret\n  auto=route\n').model!.conns[0]!);
    const event = routeUpdownEvent('route', conn, { reqid: 9, local: '192.0.2.1', remote: '192.0.2.2' })!;
    expect(updownInvocations(event).map((i) => `${i.verb} ${i.env.PLUTO_MY_CLIENT} ${i.env.PLUTO_PEER_CLIENT} ${i.env.PLUTO_REQID}`)).toEqual([
      'route-client 198.51.100.0/24 192.0.2.2/32 9',
    ]);
    expect(event.uniqueId).toBeUndefined();
    const quiet = connFromConfig(load('conn a\n  left=192.0.2.1\n  right=192.0.2.2\n  authby=secret\n').model!.conns[0]!);
    expect(routeUpdownEvent('unroute', quiet, { reqid: 9, local: '192.0.2.1', remote: '192.0.2.2' })).toBeUndefined();
  });
});
