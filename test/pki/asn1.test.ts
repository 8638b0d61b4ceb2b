// The DER details certificates depend on: time encodings around 2050,
// named bit strings, minimal positive INTEGERs, exact copies of elements.
import { describe, expect, it } from 'vitest';
import { der, encode, rawChildren } from '../../src/pki/asn1.js';

const hexOf = (node: Parameters<typeof encode>[0]) => encode(node).toString('hex');

describe('DER', () => {
  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(encode(der.time(new Date('2049-12-31T23:59:59Z'))).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(encode(der.time(new Date('2050-01-01T00:00:00Z'))).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(() => der.time(new Date('1949-01-01T00:00:00Z'))).toThrow('outside 1950..9999');
  });

  it('drops trailing zero bits of named bit strings (X.690 11.2.2)', () => {
    expect(hexOf(der.namedBits([0]))).toBe('03020780'); // digitalSignature
    expect(hexOf(der.namedBits([5, 6]))).toBe('03020106'); // keyCertSign, cRLSign
    expect(hexOf(der.namedBits([0, 2]))).toBe('030205a0');
    expect(hexOf(der.namedBits([8]))).toBe('0303070080'); // decipherOnly
  });

  it('writes positive INTEGERs minimally, with a 00 octet when the top bit is set', () => {
    expect(hexOf(der.unsigned(Buffer.from('00000102', 'hex')))).toBe('02020102');
    expect(hexOf(der.unsigned(Buffer.from('80', 'hex')))).toBe('02020080');
    expect(hexOf(der.unsigned(Buffer.alloc(0)))).toBe('020100');
    expect(hexOf(der.integer(2))).toBe('020102');
    expect(hexOf(der.integer(2n ** 64n))).toBe('0209010000000000000000');
  });

  it('splices an encoded element unchanged and refuses BER', () => {
    const inner = encode(der.sequence([der.printable('x'.repeat(200))]));
    expect(encode(der.sequence([der.raw(inner)])).subarray(-inner.length)).toEqual(inner);
    const ber = Buffer.from('3081030201' + '01', 'hex'); // long-form length where short form fits
    expect(() => der.raw(ber)).toThrow(/not DER|length/);
  });

  it('slices the children of a constructed element exactly, long lengths included', () => {
    const a = encode(der.octetString(Buffer.alloc(300, 1)));
    const b = encode(der.null());
    const whole = encode(der.sequence([der.raw(a), der.raw(b)]));
    expect(rawChildren(whole)).toEqual([a, b]);
    expect(() => rawChildren(whole.subarray(0, 10))).toThrow('truncated DER element');
  });
});
