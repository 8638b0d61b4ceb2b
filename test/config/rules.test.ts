// Validation rules of the issue, each with a failing example and the exact place reported.
import { describe, expect, it } from 'vitest';
import { conf } from './helpers.js';

const HOSTS = '\tleft=192.0.2.1\n\tright=198.51.100.1\n';

describe('keywords', () => {
  it('suggests the nearest keyword for an unknown one', () => {
    expect(conf(`conn a\n${HOSTS}\trightsoruceip=%config\n`).errorLines).toEqual(["4:2: error: unknown keyword 'rightsoruceip' (did you mean 'rightsourceip'?)"]);
  });

  it('accepts both dialects spellings and maps them to one setting', () => {
    const r = conf(`conn a\n${HOSTS}\tmark-in=0x10/0xff\n\tmark_out=32\n\treplay-window=64\n\tphase2alg=aes_gcm256-null\n\tsalifetime=2h\n\tikev2=insist\n`);
    expect(r.lines).toEqual([]);
    const c = r.model?.conns[0];
    expect(c?.markIn).toEqual({ value: 16, mask: 255 });
    expect(c?.markOut).toEqual({ value: 32, mask: 0xffffffff });
    expect([c?.replayWindow, c?.lifetime, c?.keyExchange]).toEqual([64, 7200, 'ikev2']);
    expect(c?.child.proposals[0]?.encr).toEqual([{ id: 20, keyLength: 256 }]);
  });

  it('warns that historic keywords are ignored, in setup and conn', () => {
    const r = conf(`config setup\n\tnat_traversal=yes\n\toe=off\n\tplutoopts="--x"\nconn a\n${HOSTS}\tleftkeepalive=20\n`);
    expect(r.lines).toEqual([
      "2:2: warning: 'nat_traversal' is an obsolete keyword; accepted and ignored by nodeswan",
      "3:2: warning: 'oe' is an obsolete keyword; accepted and ignored by nodeswan",
      "4:2: warning: 'plutoopts' is an obsolete keyword; accepted and ignored by nodeswan",
      "8:2: warning: 'leftkeepalive' is an obsolete keyword; accepted and ignored by nodeswan",
    ]);
  });

  it('rejects a setup keyword in a conn and a conn keyword in setup', () => {
    expect(conf(`config setup\n\tauto=add\nconn a\n\tcharondebug="ike 2"\n`).errorLines).toEqual([
      "2:2: error: 'auto' belongs in a conn or ca section, not in 'config setup'",
      "4:2: error: 'charondebug' belongs in a 'config setup' section, not in conn 'a'",
    ]);
  });

  it('ignores Libreswan x- comment keywords', () => {
    expect(conf(`conn a\n${HOSTS}\tx-owner=netops\n`).lines).toEqual([]);
  });
});

describe('values', () => {
  it.each([
    ['auto=maybe', "4:7: error: auto=: invalid value 'maybe'"],
    ['type=tunel', "4:7: error: type=: invalid value 'tunel' (did you mean 'tunnel'?)"],
    ['keyexchange=ikev3', "4:14: error: keyexchange=: invalid value 'ikev3'"],
    ['dpdaction=clera', "4:12: error: dpdaction=: invalid value 'clera' (did you mean 'clear'?)"],
    ['authby=pks', "4:9: error: authby=: invalid value 'pks' (did you mean 'psk'?)"],
    ['keyingtries=lots', "4:14: error: keyingtries=: invalid keyingtries 'lots': expected a number or %forever"],
    ['leftsubnet=10.0.0.0/8,10.1.0/16', "4:24: error: leftsubnet=: invalid subnet '10.1.0/16'"],
    ['rightsubnet=10.0.0.0/8[tcp/http-x]', "4:25: error: rightsubnet=: invalid selector"],
    ['rekeyfuzz=lots', "4:12: error: rekeyfuzz=: invalid percentage 'lots'"],
    ['leftsourceip=10.0.0.1-10.0.0', "4:15: error: leftsourceip=: invalid address range"],
    ['leftikeport=70000', "4:14: error: leftikeport=: invalid port '70000'"],
    ['rightauth=eap_mschapv2x', "4:12: error: rightauth=: invalid authentication method"],
  ])('%s', (setting, expected) => {
    const r = conf(`conn a\n${HOSTS}\t${setting}\n`);
    expect(r.errorLines).toHaveLength(1);
    expect(r.errorLines[0]?.startsWith(expected), r.errorLines[0]).toBe(true);
  });

  it('reports a value error in a %default section once, at its own line', () => {
    const r = conf('conn %default\n\tdpddelay=often\nconn a\nconn b\n');
    expect(r.errorLines).toEqual(["2:11: error: dpddelay=: invalid duration 'often': expected a number with an optional unit s, m, h or d (e.g. 30s, 9m, 3h)"]);
  });

  it('accepts the liberal host and selector spellings of both dialects', () => {
    const r = conf(
      [
        'conn a',
        '\tleft=%defaultroute',
        '\tleftsubnet=%dynamic[tcp/80]',
        '\tright=vpn.example.com',
        '\trightsubnet=vhost:%no,%priv',
        'conn b',
        '\tleft=%any6',
        '\tleftsourceip=%config,%config6',
        '\tright=%any',
        '\trightsubnets={2001:db8:1::/48 2001:db8:2::/48}',
        'conn c',
        '\tleft=%group',
        '\tright=%opportunistic',
        '\tleftsubnet=0.0.0.0/0',
        '',
      ].join('\n'),
    );
    expect(r.lines).toEqual([expect.stringMatching(/^8:2: warning: 'leftsourceip' is not supported by nodeswan yet/)]);
    expect(r.model?.conns[0]?.local.subnets).toEqual([{ dynamic: true, protocol: 6, port: { from: 80, to: 80 } }]);
    expect(r.model?.conns[0]?.remote.host).toEqual({ kind: 'hostname', name: 'vpn.example.com' });
    expect(r.model?.conns[1]?.local.sourceIps).toEqual([{ kind: 'config' }, { kind: 'config', family: 6 }]);
  });
});

describe('cross-setting rules', () => {
  it('left/right address family mismatch', () => {
    expect(conf('conn a\n\tleft=192.0.2.1\n\tright=2001:db8::2\n').errorLines).toEqual([
      "3:8: error: conn 'a': left= is IPv4 but right= is IPv6; both ends must use the same address family",
    ]);
  });

  it('subnet address family mismatch', () => {
    expect(conf(`conn a\n${HOSTS}\tleftsubnet=2001:db8::/64\n\trightsubnet=10.0.0.0/8\n`).errorLines[0]).toMatch(/^5:14: error: conn 'a': leftsubnet is IPv6 but rightsubnet is IPv4/);
  });

  it('auto=start or auto=route without right=', () => {
    expect(conf('conn a\n\tleft=192.0.2.1\n\tauto=start\n').errorLines).toEqual(["3:7: error: conn 'a': auto=start needs right= (the peer's address or hostname)"]);
    expect(conf('conn a\n\tauto=route\n\tleft=192.0.2.1\n').errorLines).toEqual(["2:7: error: conn 'a': auto=route needs right= (the peer's address or hostname)"]);
  });

  it('right= inherited from also= satisfies auto=start', () => {
    expect(conf('conn base\n\tright=198.51.100.1\nconn a\n\talso=base\n\tauto=start\n').errorLines).toEqual([]);
  });

  it('leftfirewall=yes with leftupdown, reported at the later line', () => {
    expect(conf(`conn a\n${HOSTS}\tleftupdown=/x.sh\n\tleftfirewall=yes\n`).errorLines[0]).toMatch(/^5:15: error: conn 'a': leftfirewall=yes and leftupdown= cannot be combined/);
    expect(conf(`conn a\n${HOSTS}\tleftupdown=/x.sh\n\tleftfirewall=no\n`).errorLines).toEqual([]);
  });

  it('AH with forced UDP encapsulation explains why and suggests ESP with integrity only', () => {
    const r = conf(`conn a\n${HOSTS}\tforceencaps=yes\n\tah=sha256\n`);
    expect(r.errorLines).toHaveLength(1);
    expect(r.errorLines[0]).toMatch(/^5:5: error: conn 'a': AH cannot be used with forced UDP encapsulation/);
    expect(r.errorLines[0]).toContain('AH authenticates the outer IP addresses, which a NAT rewrites');
    expect(r.errorLines[0]).toContain('esp=null-sha256');
    expect(conf(`conn a\n${HOSTS}\tphase2=ah\n\tencapsulation=yes\n`).errorLines[0]).toMatch(/^5:16: error: conn 'a': AH cannot/);
    expect(conf(`conn a\n${HOSTS}\tphase2=ah\n\tencapsulation=auto\n`).errorLines).toEqual([]);
  });

  it('encapsulation= follows Libreswan (yes forces, no never encapsulates, auto detects); forceencaps=no stays auto', () => {
    const flags = (setting: string) => {
      const c = conf(`conn a\n${HOSTS}\t${setting}\n`).model!.conns[0]!;
      return { forceEncaps: c.forceEncaps, neverEncaps: c.neverEncaps };
    };
    expect(flags('encapsulation=yes')).toEqual({ forceEncaps: true, neverEncaps: false });
    expect(flags('encapsulation=no')).toEqual({ forceEncaps: false, neverEncaps: true });
    expect(flags('encapsulation=auto')).toEqual({ forceEncaps: false, neverEncaps: false });
    expect(flags('forceencaps=yes')).toEqual({ forceEncaps: true, neverEncaps: false });
    expect(flags('forceencaps=no')).toEqual({ forceEncaps: false, neverEncaps: false });
    expect(conf(`conn a\n${HOSTS}\n`).model!.conns[0]!.neverEncaps).toBe(false);
  });

  it('transport mode with foreign subnets warns; vhost: and the hosts themselves do not', () => {
    expect(conf(`conn a\n${HOSTS}\ttype=transport\n\tleftsubnet=10.0.0.0/8\n`).lines).toEqual([
      "5:13: warning: conn 'a': type=transport protects traffic between the two hosts only; leftsubnet=10.0.0.0/8 is not left= itself (use type=tunnel, or %dynamic / vhost: selectors)",
    ]);
    expect(conf(`conn a\n${HOSTS}\ttype=transport\n\tleftsubnet=192.0.2.1/32\n\trightsubnet=vhost:%priv,%no\n`).lines).toEqual([]);
  });

  it('IKEv1 conns parse and validate but warn', () => {
    expect(conf(`conn a\n${HOSTS}\tkeyexchange=ikev1\n`).lines).toEqual([
      "4:14: warning: conn 'a' uses IKEv1; nodeswan negotiates IKEv2 only (for now), so this conn will not come up",
    ]);
    expect(conf(`conn a\n${HOSTS}\tikev2=no\n`).lines[0]).toMatch(/^4:8: warning: conn 'a' uses IKEv1/);
  });

  it('lists every problem of a file in one run, in line order', () => {
    const r = conf('conn a\n\tauto=bad\n\tleft=1.2.3\nconn b\n\tesp=aes128-foo\n\tlefsubnet=x\nconn a\n');
    expect(r.errorLines.map((l) => l.split(': error')[0])).toEqual(['2:7', '3:7', '5:13', '6:2', '7:6']);
  });
});

describe('defaults', () => {
  it('applies the documented defaults to an empty conn', () => {
    const c = conf('conn a\n').model?.conns[0];
    expect(c).toMatchObject({
      keyExchange: 'ikev2',
      mode: 'tunnel',
      auto: 'ignore',
      ikeLifetime: 10800,
      lifetime: 3600,
      rekeyMargin: 540,
      rekeyFuzz: 100,
      keyingTries: 3,
      dpdDelay: 30,
      mobike: true,
      fragmentation: 'yes',
      forceEncaps: false,
    });
    expect(c?.local.host).toEqual({ kind: 'any' });
    expect(c?.local.auth).toEqual([{ method: 'pubkey', spec: 'pubkey' }]);
    expect(c?.ike.proposals.length).toBe(2);
    expect(c?.child.protocol).toBe('esp');
  });
});

describe('where inherited problems are reported', () => {
  it('auto=start from %default without right= is reported at each conn name', () => {
    expect(conf('conn %default\n\tauto=start\nconn a\n\tleft=192.0.2.1\nconn b\n\tright=198.51.100.2\n').errorLines).toEqual([
      "3:6: error: conn 'a': auto=start needs right= (the peer's address or hostname)",
    ]);
  });

  it('keyexchange=ikev1 from %default warns at each conn name', () => {
    expect(conf('conn %default\n\tkeyexchange=ikev1\nconn a\nconn b\n').lines).toEqual([
      "3:6: warning: conn 'a' uses IKEv1; nodeswan negotiates IKEv2 only (for now), so this conn will not come up",
      "4:6: warning: conn 'b' uses IKEv1; nodeswan negotiates IKEv2 only (for now), so this conn will not come up",
    ]);
  });
});

describe('value spellings', () => {
  it('counts with suffixes and 2^N, durations with units and decimals', () => {
    const c = conf(`conn a\n${HOSTS}\tlifebytes=2GiB\n\tmarginbytes=100M\n\tipsec-max-packets=2^31\n\tikelifetime=1.5h\n\tdpddelay=45\n\tinactivity=2d\n`).model?.conns[0];
    expect([c?.lifeBytes, c?.marginBytes, c?.lifePackets, c?.ikeLifetime, c?.dpdDelay, c?.inactivity]).toEqual([2 ** 31, 1e8, 2 ** 31, 5400, 45, 172800]);
  });

  it('marks: %unique, Libreswan -1, value/mask in hex or decimal', () => {
    const c = conf(`conn a\n${HOSTS}\tmark_in=%unique\n\tmark-out=0x100/0xff00\n`).model?.conns[0];
    expect(c?.markIn).toEqual({ value: 0, mask: 0xffffffff, unique: true });
    expect(c?.markOut).toEqual({ value: 256, mask: 0xff00 });
    expect(conf(`conn a\n${HOSTS}\tmark=-1\n`).model?.conns[0]?.markIn?.unique).toBe(true);
  });
});

describe('subnets with host bits', () => {
  it('warn and mean the network, for IPv4 and IPv6', () => {
    const r = conf(`conn a\n${HOSTS}\tleftsubnet=10.1.2.3/16\n\trightsubnet=2001:db8:0:0:1::5/64,192.168.1.1/32\n`);
    expect(r.lines).toEqual([
      "4:13: warning: leftsubnet=: '10.1.2.3/16' has host bits set; it means 10.1.0.0/16",
      "5:14: warning: rightsubnet=: '2001:db8:0:0:1::5/64' has host bits set; it means 2001:db8::/64",
    ]);
    expect(r.model?.conns[0]?.local.subnets[0]?.cidr).toBe('10.1.0.0/16');
    expect(r.model?.conns[0]?.remote.subnets.map((s) => s.cidr)).toEqual(['2001:db8::/64', '192.168.1.1/32']);
  });
});

describe('keywords nodeswan reads but does not act on yet', () => {
  it('warn when set to anything but their default, naming the keyword and what it would do', () => {
    const r = conf('config setup\n\tstrictcrlpolicy=yes\n\tcachecrls=no\nconn a\n\tleft=192.0.2.1\n\tright=198.51.100.1\n\tmobike=yes\n\tpfs=no\n\trightdns=192.0.2.53\n\trightca="C=CH, O=Corp, CN=Corp CA"\n');
    expect(r.lines).toEqual([
      "2:2: warning: 'strictcrlpolicy' is not supported by nodeswan yet and has no effect (Require a fresh CRL for certificate validation)",
      "9:2: warning: 'rightdns' is not supported by nodeswan yet and has no effect (DNS servers to request or hand out (%config4/%config6 or addresses))",
    ]);
    expect(r.errors).toBe(0);
  });
});
