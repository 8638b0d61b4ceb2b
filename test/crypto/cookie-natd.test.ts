import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CookieGenerator } from '../../src/crypto/cookie.js';
import { ipToBytes } from '../../src/crypto/ip-bytes.js';
import { natDetectionHash, natDetectionMatches } from '../../src/crypto/nat-detection.js';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};
const spiI = Buffer.from('0102030405060708', 'hex');
const spiR = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');

describe('address octets', () => {
  it.each([
    ['192.0.2.1', 'c0000201'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:db8:1:2:3:4:5:6', '20010db8000100020003000400050006'],
    ['::', '00000000000000000000000000000000'],
    ['::ffff:192.0.2.7', '00000000000000000000ffffc0000207'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
  ])('%s', (text, bytes) => expect(ipToBytes(text)?.toString('hex')).toBe(bytes));

  it('rejects non-addresses', () => {
    for (const text of ['', 'example.org', '192.0.2', '2001:db8:::1', '300.1.1.1']) expect(ipToBytes(text)).toBeUndefined();
  });
});

describe('NAT detection (RFC 7296 §2.23)', () => {
  it('is SHA-1(SPIi | SPIr | IP | port)', () => {
    const expected = createHash('sha1').update(Buffer.concat([spiI, spiR, Buffer.from([192, 0, 2, 1]), Buffer.from([0x11, 0x94])])).digest();
    expect(must(natDetectionHash(spiI, spiR, { address: '192.0.2.1', port: 4500 }))).toEqual(expected);
    expect(must(natDetectionHash(spiI, spiR, { address: Buffer.from([192, 0, 2, 1]), port: 4500 }))).toEqual(expected);
  });

  it('IPv6 addresses hash all 16 octets', () => {
    const expected = createHash('sha1').update(Buffer.concat([spiI, spiR, ipToBytes('2001:db8::2')!, Buffer.from([0x01, 0xf4])])).digest();
    expect(must(natDetectionHash(spiI, spiR, { address: '2001:db8::2', port: 500 }))).toEqual(expected);
  });

  it('matching picks any of several received hashes', () => {
    const mine = must(natDetectionHash(spiI, spiR, { address: '198.51.100.7', port: 500 }));
    const other = must(natDetectionHash(spiI, spiR, { address: '198.51.100.8', port: 500 }));
    expect(natDetectionMatches([other, mine], mine)).toBe(true);
    expect(natDetectionMatches([other], mine)).toBe(false);
    expect(natDetectionMatches([], mine)).toBe(false);
  });

  it('bad addresses and ports are errors', () => {
    expect(natDetectionHash(spiI, spiR, { address: 'nat.example', port: 500 }).ok).toBe(false);
    expect(natDetectionHash(spiI, spiR, { address: '192.0.2.1', port: 70000 }).ok).toBe(false);
  });
});

describe('COOKIE (RFC 7296 §2.6)', () => {
  const input = { nonceI: Buffer.alloc(32, 1), initiatorAddress: '203.0.113.9', spiI };
  let counter = 0;
  const deterministic = (size: number) => Buffer.alloc(size, ++counter);

  it('is version | SHA-256(Ni | IPi | SPIi | secret) and verifies', () => {
    const jar = new CookieGenerator({ randomBytes: deterministic, initialVersion: 7 });
    const cookie = must(jar.generate(input));
    expect(cookie.length).toBe(36);
    expect(cookie.readUInt32BE(0)).toBe(7);
    const secret = Buffer.alloc(32, counter);
    const hash = createHash('sha256').update(input.nonceI).update(Buffer.from([203, 0, 113, 9])).update(spiI).update(secret).digest();
    expect(cookie.subarray(4)).toEqual(hash);
    must(jar.verify(cookie, input));
  });

  it('survives one rotation, not two', () => {
    const jar = new CookieGenerator();
    const cookie = must(jar.generate(input));
    jar.rotate();
    must(jar.verify(cookie, input));
    expect(must(jar.generate(input))).not.toEqual(cookie);
    jar.rotate();
    const r = jar.verify(cookie, input);
    expect(!r.ok && r.error.code).toBe('CRYPTO_COOKIE_INVALID');
  });

  it('is bound to nonce, address and SPI, and refuses tampering and odd sizes', () => {
    const jar = new CookieGenerator();
    const cookie = must(jar.generate(input));
    expect(jar.verify(cookie, { ...input, initiatorAddress: '203.0.113.10' }).ok).toBe(false);
    expect(jar.verify(cookie, { ...input, nonceI: Buffer.alloc(32, 2) }).ok).toBe(false);
    expect(jar.verify(cookie, { ...input, spiI: Buffer.alloc(8) }).ok).toBe(false);
    const flipped = Buffer.from(cookie);
    flipped[20]! ^= 1;
    expect(jar.verify(flipped, input).ok).toBe(false);
    expect(jar.verify(cookie.subarray(0, 35), input).ok).toBe(false);
    expect(jar.verify(Buffer.alloc(0), input).ok).toBe(false);
  });

  it('two generators do not accept each other (independent secrets)', () => {
    const a = new CookieGenerator();
    const b = new CookieGenerator();
    expect(b.verify(must(a.generate(input)), input).ok).toBe(false);
  });
});
