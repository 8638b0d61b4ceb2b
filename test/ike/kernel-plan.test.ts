import { describe, expect, it } from 'vitest';
import type { ChildSaParams } from '../../src/ike/child-params.js';
import { cidrToRange, formatIp, ipFromBytes, ipToBytes, parseIp, rangeToCidrs } from '../../src/ike/ip.js';
import { installPlan, policySpecs } from '../../src/ike/kernel-plan.js';

describe('ip arithmetic', () => {
  it('round-trips IPv4 and IPv6 text and bytes', () => {
    expect(formatIp(parseIp('2001:db8:0:0:1::1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('::ffff:192.0.2.1'))).toBe('::ffff:c000:201');
    expect(ipFromBytes(ipToBytes('198.51.100.7'))).toBe('198.51.100.7');
    expect(ipFromBytes(ipToBytes('2001:db8::'))).toBe('2001:db8::');
  });

  it('converts ranges to the smallest prefix list', () => {
    const r = cidrToRange('198.51.100.77/24');
    expect(formatIp({ family: 4, value: r.start })).toBe('198.51.100.0');
    expect(rangeToCidrs(4, r.start, r.end)).toEqual(['198.51.100.0/24']);
    expect(rangeToCidrs(4, parseIp('192.0.2.1').value, parseIp('192.0.2.6').value)).toEqual([
      '192.0.2.1/32',
      '192.0.2.2/31',
      '192.0.2.4/31',
      '192.0.2.6/32',
    ]);
    expect(rangeToCidrs(6, 0n, (1n << 128n) - 1n)).toEqual(['::/0']);
  });
});

const keys = { encryption: { xfrmName: 'rfc4106(gcm(aes))', key: new Uint8Array(36), icvBits: 128 } };
const tunnel: ChildSaParams = {
  childId: 1,
  connName: 'site',
  reqid: 0x4e530001,
  protocol: 'esp',
  mode: 'tunnel',
  localAddress: '192.0.2.1',
  remoteAddress: '192.0.2.2',
  spiIn: 0xc0000001,
  spiOut: 0xc0000002,
  inbound: keys,
  outbound: keys,
  esn: false,
  replayWindow: 32,
  localTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '198.51.100.0', endAddress: '198.51.100.255' }],
  remoteTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '203.0.113.0', endAddress: '203.0.113.255' }],
  forward: true,
  proposal: 'AES_GCM_16_256/NO_EXT_SEQ',
};

describe('kernel plan', () => {
  it('installs inbound SA, outbound SA, then in/fwd policies and out last', () => {
    const plan = installPlan(tunnel).install;
    expect(plan.map((op) => (op.op === 'add-policy' ? `policy-${op.policy.dir}` : op.op))).toEqual([
      'update-sa',
      'add-sa',
      'policy-in',
      'policy-fwd',
      'policy-out',
    ]);
    const [inbound, outbound, inPolicy, , outPolicy] = plan;
    expect(inbound?.op === 'update-sa' && inbound.sa).toMatchObject({ src: '192.0.2.2', dst: '192.0.2.1', spi: 0xc0000001 });
    expect(outbound?.op === 'add-sa' && outbound.sa).toMatchObject({ src: '192.0.2.1', dst: '192.0.2.2', spi: 0xc0000002 });
    expect(inPolicy?.op === 'add-policy' && inPolicy.policy).toMatchObject({
      selector: { src: '203.0.113.0/24', dst: '198.51.100.0/24' },
      templates: [{ mode: 'tunnel', src: '192.0.2.2', dst: '192.0.2.1', reqid: 0x4e530001 }],
    });
    expect(outPolicy?.op === 'add-policy' && outPolicy.policy.selector).toEqual({ src: '198.51.100.0/24', dst: '203.0.113.0/24' });
  });

  it('transport mode: host selectors with protocol/port, no fwd, no endpoints in templates', () => {
    const transport: ChildSaParams = {
      ...tunnel,
      mode: 'transport',
      forward: false,
      localTs: [{ protocol: 17, startPort: 1701, endPort: 1701, startAddress: '192.0.2.1', endAddress: '192.0.2.1' }],
      remoteTs: [{ protocol: 17, startPort: 0, endPort: 65535, startAddress: '192.0.2.2', endAddress: '192.0.2.2' }],
    };
    const policies = policySpecs(transport);
    expect(policies.map((p) => p.dir)).toEqual(['in', 'out']);
    expect(policies[1]?.selector).toEqual({ src: '192.0.2.1/32', dst: '192.0.2.2/32', proto: 17, srcPort: 1701 });
    expect(policies[0]?.templates[0]).toEqual({ proto: 'esp', mode: 'transport', reqid: 0x4e530001 });
    expect(policies[1]!.priority).toBeLessThan(policySpecs(tunnel)[0]!.priority);
  });
});
