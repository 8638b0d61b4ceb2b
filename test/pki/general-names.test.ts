// --san values: the type guessed from the text or forced by a prefix, and
// the errors for values that are none of IP, DNS name, email or URI.
import { describe, expect, it } from 'vitest';
import { parseGeneralName } from '../../src/pki/index.js';
import { formatIp, ipBytes } from '../../src/pki/general-names.js';

describe('parseGeneralName', () => {
  it.each([
    ['192.0.2.1', 'ip', '192.0.2.1'],
    ['2001:db8::1', 'ip', '2001:db8::1'],
    ['vpn.example.com', 'dns', 'vpn.example.com'],
    ['*.example.com', 'dns', '*.example.com'],
    ['gateway', 'dns', 'gateway'],
    ['user@example.com', 'email', 'user@example.com'],
    ['https://crl.example.com/ca.crl', 'uri', 'https://crl.example.com/ca.crl'],
    ['dns:192.0.2.1.example', 'dns', '192.0.2.1.example'],
    ['email:admin@example.com', 'email', 'admin@example.com'],
    ['ip:198.51.100.7', 'ip', '198.51.100.7'],
    ['dn:C=CH, CN=x', 'dn', 'C=CH, CN=x'],
  ])('%s is %s', (input, kind, value) => {
    expect(parseGeneralName(input)).toEqual({ kind, value });
  });

  it.each([
    ['vpn example.com', "subjectAltName 'vpn example.com' is not an IP address, an email address"],
    ['zürich.example.com', 'use punycode for other characters'],
    ['ip:vpn.example.com', "subjectAltName 'ip:vpn.example.com' is not an IPv4 or IPv6 address"],
    ['fe80::1%eth0', 'is not an IPv4 or IPv6 address (without a zone)'],
    ['ip:fe80::1%eth0', 'without a zone'],
    ['user@', 'is not an email address'],
    ['uri:no scheme', 'is not a URI'],
    ['dn:CN', "has no '='"],
  ])('%s is refused: %s', (input, message) => {
    expect(() => parseGeneralName(input)).toThrow(message);
  });
});

describe('IP address octets', () => {
  it.each([
    ['192.0.2.1', 'c0000201', '192.0.2.1'],
    ['2001:db8::1', '20010db8000000000000000000000001', '2001:db8::1'],
    ['::', '00000000000000000000000000000000', '::'],
    ['2001:db8:0:1:0:0:0:1', '20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201', '::ffff:c000:201'],
    ['2001:db8::', '20010db8000000000000000000000000', '2001:db8::'],
  ])('%s', (text, hex, formatted) => {
    expect(ipBytes(text).toString('hex')).toBe(hex);
    expect(formatIp(Buffer.from(hex, 'hex'))).toBe(formatted);
  });
});
