// The kernel lab's pure parts, on the host: what swanctl and tcpdump print
// is parsed right, configs and command lines are quoted right, and keys
// survive the trip to a backend driver. The lab itself is proven by the e2e
// project (test/e2e/lab-*.test.ts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeLine, encodeLine } from './backend-wire.js';
import { summarize } from './capture.js';
import { envScript, shellQuote } from './run.js';
import { formatSwanConf, parseListSas, pskHostToHost } from './strongswan.js';

const listSasPretty = `list-sa event {
  office {
    uniqueid = 3
    state = ESTABLISHED
    local-id = C=CH, O=nodeswan test, CN=left.example
    remote-id = 192.0.2.2
    encr-alg = AES_GCM_16
    child-sas {
      office-4 {
        name = office
        state = INSTALLED
        mode = TUNNEL
        spi-in = c840f661
        spi-out = cb0c21b9
        packets-out = 6
        local-ts = [
          198.51.100.0/24
          2001:db8:1::/64
        ]
        remote-ts = [
          203.0.113.0/24
        ]
      }
    }
  }
}
list-sas reply {
}
`;

describe('parseListSas', () => {
  it('reads IKE and CHILD SA fields, values with spaces, and selector lists', () => {
    const [sa, ...rest] = parseListSas(listSasPretty);
    expect(rest).toEqual([]);
    expect(sa!.name).toBe('office');
    expect(sa!.fields).toMatchObject({ state: 'ESTABLISHED', 'local-id': 'C=CH, O=nodeswan test, CN=left.example', 'encr-alg': 'AES_GCM_16' });
    expect(sa!.children).toEqual([
      {
        name: 'office-4',
        fields: expect.objectContaining({ 'spi-in': 'c840f661', 'spi-out': 'cb0c21b9', mode: 'TUNNEL', 'packets-out': '6' }),
        localTs: ['198.51.100.0/24', '2001:db8:1::/64'],
        remoteTs: ['203.0.113.0/24'],
      },
    ]);
  });

  it('returns nothing when there is no SA', () => {
    expect(parseListSas('list-sas reply {\n}\n')).toEqual([]);
  });

  it('rejects output it does not understand instead of guessing', () => {
    expect(() => parseListSas('list-sa event {\n  host {\n    what is this\n')).toThrow(/cannot parse line "what is this"/);
  });
});

describe('formatSwanConf', () => {
  it('writes nested sections, lists and quoted secrets in swanctl syntax', () => {
    const text = formatSwanConf(pskHostToHost({ local: '192.0.2.1', remote: '192.0.2.2', psk: 'a "quoted" secret', mode: 'tunnel' }));
    expect(text).toContain('connections {\n  host {\n    version = 2\n    local_addrs = 192.0.2.1\n');
    expect(text).toContain('        mode = tunnel\n');
    expect(text).toContain('secret = "a \\"quoted\\" secret"');
    expect(formatSwanConf({ a: { list: ['x', 'y'], flag: true } })).toBe('a {\n  list = x,y\n  flag = yes\n}\n');
  });

  it('refuses values that would break the syntax', () => {
    expect(() => formatSwanConf({ id: 'line\nbreak' })).toThrow(/newline or brace/);
  });
});

describe('capture summary', () => {
  it('classifies tcpdump lines into ESP per SPI, UDP-encapsulated ESP, cleartext echo and ARP markers', () => {
    const summary = summarize(
      [
        '05:01:03.1 IP 192.0.2.1 > 192.0.2.2: ESP(spi=0x00010000,seq=0x1), length 120',
        '05:01:03.2 IP 100.64.0.2.4500 > 192.0.2.2.4500: UDP-encap: ESP(spi=0x00040001,seq=0x2), length 136',
        '05:01:03.3 IP 198.51.100.1 > 203.0.113.1: ICMP echo request, id 7, seq 0, length 64',
        '05:01:03.4 IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo reply, id 7, seq 0, length 64',
        '05:01:03.5 ARP, Request who-has 192.0.2.1 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28',
        '05:01:03.6 IP 192.0.2.1.500 > 192.0.2.2.500: isakmp: parent_sa ikev2_init[I]',
        '',
      ].join('\n'),
    );
    expect(summary).toMatchObject({ esp: 2, udpEncapEsp: 1, cleartextEcho: 2, other: 1 });
    expect([...summary.bySpi]).toEqual([
      [0x10000, 1],
      [0x40001, 1],
    ]);
  });
});

describe('lab command line and environment', () => {
  it('quotes arguments so the guest shell sees them unchanged', () => {
    const args = ['it\'s', '$HOME', 'a b', '"', '\\n', ''];
    const r = spawnSync('sh', ['-c', `printf '%s\\n' ${args.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(r.stdout).toBe(args.map((a) => `${a}\n`).join(''));
  });

  it('exports the environment except host-only variables and invalid names', () => {
    const script = envScript({ PATH: '/usr/bin:/bin', PWD: '/somewhere', TMPDIR: '/tmp/x', 'BAD-NAME': 'x', MULTI: 'a\nb' });
    expect(script).toBe("export PATH='/usr/bin:/bin'\nexport MULTI='a\nb'\n");
  });
});

describe('backend driver wire format', () => {
  it('carries key bytes inside nested plain data', () => {
    const key = new Uint8Array([0, 1, 2, 254, 255]);
    const line = encodeLine({ id: 1, method: 'addSa', args: [{ algorithms: { aead: { name: 'rfc4106(gcm(aes))', key, icvBits: 128 } } }] });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const decoded = decodeLine(line) as { args: [{ algorithms: { aead: { key: Uint8Array } } }] };
    expect(decoded.args[0].algorithms.aead.key).toEqual(key);
  });
});
