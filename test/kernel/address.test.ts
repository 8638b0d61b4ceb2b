import { describe, expect, it } from 'vitest';
import { canonicalAddress, canonicalPrefix, familyOf, formatAddress, parseAddress, parsePrefix } from '../../src/kernel/address.js';
import { KernelError } from '../../src/kernel/backend.js';

describe('addresses', () => {
  it('parses IPv4 into the first four bytes of xfrm_address_t', () => {
    expect([...parseAddress('192.0.2.254').bytes]).toEqual([192, 0, 2, 254, ...new Array(12).fill(0)]);
  });

  it('rejects malformed IPv4 (leading zeros, out of range, short) with a clear error', () => {
    for (const bad of ['192.0.2.01', '192.0.2.256', '192.0.2', '192.0.2.1.', '', 'a.b.c.d']) {
      expect(() => parseAddress(bad), bad).toThrow(KernelError);
    }
    expect(() => parseAddress('192.0.2.256')).toThrow("invalid address '192.0.2.256': expected an IPv4 or IPv6 address");
  });

  it('round-trips IPv6 in RFC 5952 form', () => {
    expect(canonicalAddress('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalAddress('::')).toBe('::');
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(formatAddress(6, parseAddress('2001:db8:1:2:3:4:5:6').bytes)).toBe('2001:db8:1:2:3:4:5:6');
    expect(familyOf('2001:db8::1')).toBe(6);
    expect(familyOf('198.51.100.1')).toBe(4);
  });

  it('clears host bits of prefixes and treats a bare address as a host prefix', () => {
    expect(canonicalPrefix('198.51.100.77/24')).toBe('198.51.100.0/24');
    expect(canonicalPrefix('2001:db8:1:ffff::1/52')).toBe('2001:db8:1:f000::/52');
    expect(parsePrefix('203.0.113.5').length).toBe(32);
    expect(parsePrefix('2001:db8::5').length).toBe(128);
    for (const bad of ['198.51.100.0/33', '2001:db8::/129', '198.51.100.0/x', '198.51.100.0/']) expect(() => parsePrefix(bad), bad).toThrow(KernelError);
  });
});
