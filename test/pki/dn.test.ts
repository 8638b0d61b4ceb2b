// DN strings as admins write them, their DER (checked against openssl's
// reading of it) and the errors for the mistakes people make.
import { describe, expect, it } from 'vitest';
import { formatDn, parseDn, readDn } from '../../src/pki/index.js';
import { TempDir, run } from './helpers/tools.js';

const hex = (dn: string) => parseDn(dn).der.toString('hex');

describe('parseDn', () => {
  it('encodes the comma form in order, PrintableString where possible', () => {
    const { rdns, der } = parseDn('C=CH, O=Example, CN=vpn.example.com');
    expect(rdns).toEqual([
      { oid: '2.5.4.6', type: 'C', value: 'CH' },
      { oid: '2.5.4.10', type: 'O', value: 'Example' },
      { oid: '2.5.4.3', type: 'CN', value: 'vpn.example.com' },
    ]);
    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.6, PrintableString "CH" } } ... }
    expect(der.toString('hex')).toBe(
      '3039' +
        '310b300906035504061302' + '4348' +
        '3110300e060355040a1307' + Buffer.from('Example').toString('hex') +
        '311830160603550403130f' + Buffer.from('vpn.example.com').toString('hex'),
    );
  });

  it('reads the slash form, quotes, escapes and keyword spellings the same way', () => {
    const reference = hex('C=CH, O=Example, CN=vpn.example.com');
    expect(hex('/C=CH/O=Example/CN=vpn.example.com')).toBe(reference);
    expect(hex('c=CH,o=Example,cn=vpn.example.com')).toBe(reference);
    expect(hex('countryName = CH ,  organizationName=Example, commonName=vpn.example.com ')).toBe(reference);
    expect(hex('C=CH, O="Example", CN=vpn.example.com')).toBe(reference);
    expect(hex('2.5.4.6=CH, 2.5.4.10=Example, 2.5.4.3=vpn.example.com')).toBe(reference);
    expect(parseDn('O="Doe, John", CN=a\\,b').rdns.map((r) => r.value)).toEqual(['Doe, John', 'a,b']);
    expect(parseDn('CN=" padded "').rdns[0]?.value).toBe(' padded ');
  });

  it('chooses UTF8String, IA5String and PrintableString like RFC 5280 asks', () => {
    const tagOfValue = (dn: string) => {
      const der = parseDn(dn).der;
      // The value follows the OID: find the OID tag (06) of length 3 or 9 and skip it.
      const oidAt = der.indexOf(0x06);
      return der[oidAt + 2 + der[oidAt + 1]!];
    };
    expect(tagOfValue('CN=Zürich Gateway')).toBe(0x0c); // UTF8String
    expect(tagOfValue('CN=plain')).toBe(0x13); // PrintableString
    expect(tagOfValue('CN=a_b')).toBe(0x0c); // '_' is not printable
    expect(tagOfValue('E=admin@example.com')).toBe(0x16); // IA5String
    expect(tagOfValue('DC=example')).toBe(0x16);
    expect(tagOfValue('SN=1234')).toBe(0x13); // serialNumber
  });

  it('matches how openssl reads the DER', () => {
    const dir = new TempDir();
    try {
      const der = parseDn('C=CH, ST=Zürich, O=Example AG, OU=Net, CN=vpn.example.com, E=admin@example.com').der;
      const r = run('openssl', ['asn1parse', '-inform', 'DER', '-in', dir.file('dn.der', der)]);
      expect(r.status).toBe(0);
      const values = r.stdout.split('\n').filter((l) => /STRING|UTF8/.test(l)).map((l) => l.replace(/^.*:/, ''));
      expect(values).toEqual(['CH', 'Zürich', 'Example AG', 'Net', 'vpn.example.com', 'admin@example.com']);
      expect(r.stdout).toContain('emailAddress');
      expect(r.stdout).toContain('stateOrProvinceName');
    } finally {
      dir.remove();
    }
  });

  it('round-trips through formatDn, escaping commas and quotes', () => {
    for (const dn of ['C=CH, O=Example, CN=vpn.example.com', 'O=Doe\\, John, CN=x', 'CN=say \\"hi\\"', 'CN=Zürich', 'E=a@b.example, UID=alice, DC=example, DC=com']) {
      const der = parseDn(dn).der;
      expect(formatDn(der)).toBe(dn);
      expect(parseDn(formatDn(der)).der).toEqual(der);
    }
    expect(readDn(parseDn('1.2.3.4=x').der)).toEqual([{ oid: '1.2.3.4', type: '1.2.3.4', value: 'x' }]);
  });
});

describe('parseDn errors', () => {
  const cases: [string, string][] = [
    ['', 'distinguished name "" is empty; expected e.g. "C=CH, O=Example, CN=vpn.example.com"'],
    ['CN', 'distinguished name "CN" RDN 1 "CN" has no \'=\'; each part is TYPE=value, e.g. CN=vpn.example.com'],
    ['C=CH, O=Example, vpn.example.com', 'RDN 3 "vpn.example.com" has no \'=\''],
    ['XX=foo', "RDN 1 \"XX=foo\": unknown attribute type 'XX'; use one of C, ST, L, STREET, O, OU, CN, S, SN, T, D,"],
    ['C=Switzerland', 'RDN 1 "C=Switzerland": a country (C) is a two-letter ISO 3166 code, e.g. C=CH'],
    ['CN=', 'RDN 1 "CN=" has an empty value'],
    ['=foo', 'RDN 1 "=foo" has no attribute type before \'=\''],
    ['C=CH,,CN=x', 'has an empty RDN at position 2 (two separators in a row?)'],
    ['CN="open', 'has an unterminated quote in "CN="open"'],
    ['CN=x\\', 'ends with a lone backslash'],
    ['E=zoë@example.com', 'RDN 1 "E=zoë@example.com": E takes ASCII characters only'],
    ['SN=ü1', 'SN takes letters, digits, space and \'()+,-./:=? only'],
  ];
  it.each(cases)('%j -> %s', (input, message) => {
    expect(() => parseDn(input)).toThrow(message);
    try {
      parseDn(input);
    } catch (err) {
      expect((err as { code: string }).code).toBe('PKI_BAD_DN');
    }
  });

  it('tolerates one trailing separator', () => {
    expect(hex('C=CH, CN=x,')).toBe(hex('C=CH, CN=x'));
  });
});
