import { describe, expect, it } from 'vitest';
import { resolveCipherSuite } from '../../src/crypto/registry/index.js';
import { openMessage, sealMessage } from '../../src/crypto/sk-message.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import { AuthMethod, decodeMessage, ExchangeType, IdType, PayloadType, type IkeHeader, type Payload } from '../../src/wire/index.js';
import { ENCR, INTEG } from '../../src/wire/iana/transforms.js';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

const header: IkeHeader = {
  spiI: Buffer.from('0102030405060708', 'hex'),
  spiR: Buffer.from('1112131415161718', 'hex'),
  nextPayload: 0,
  majorVersion: 2,
  minorVersion: 0,
  exchangeType: ExchangeType.IKE_AUTH,
  flags: { initiator: true, response: false, version: false },
  messageId: 1,
  length: 0,
};

const inner: Payload[] = [
  { type: PayloadType.IDi, critical: false, idType: IdType.ID_FQDN, data: Buffer.from('left.example.org') },
  { type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: Buffer.alloc(32, 0xab) },
];

describe.each([
  ['AES_GCM_16_256', must(resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 }))],
  ['AES_CBC_128/SHA2_256_128', must(resolveCipherSuite({ id: ENCR.AES_CBC, keyLength: 128 }, INTEG.HMAC_SHA2_256_128))],
])('sealMessage/openMessage with %s', (_name, suite) => {
  const keys = { encryptionKey: Buffer.alloc(suite.encr.keymatSize, 1), integrityKey: Buffer.alloc(suite.integ?.keySize ?? 0, 2) };
  const cipher = () => must(SkCipher.create(suite, keys));

  it('round-trips and the outer message carries correct lengths', () => {
    const bytes = sealMessage(header, inner, cipher());
    const outer = must(decodeMessage(bytes) as never) as { header: IkeHeader; payloads: Payload[] };
    expect(outer.header.length).toBe(bytes.length);
    expect(outer.header.nextPayload).toBe(PayloadType.SK);
    const opened = must(openMessage(bytes, cipher()));
    expect(opened.payloads).toEqual(inner);
    expect(opened.message.header.messageId).toBe(1);
  });

  it('any flipped bit anywhere in the message is refused with a typed error', () => {
    const bytes = sealMessage(header, inner, cipher());
    const codes = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i]! ^= 0x04;
      const r = openMessage(bad, cipher());
      expect(r.ok).toBe(false);
      if (!r.ok) codes.add(r.error.code);
    }
    // Header/length damage is caught by the codec, the rest by the ICV.
    expect([...codes].every((c) => ['CRYPTO_WIRE_DECODE', 'CRYPTO_INTEGRITY_FAILED', 'CRYPTO_SK_MALFORMED'].includes(c))).toBe(true);
    expect(codes.has('CRYPTO_INTEGRITY_FAILED')).toBe(true);
  });

  it('a message without SK and garbage bytes are refused', () => {
    const noSk = openMessage(Buffer.concat([Buffer.from(sealMessage(header, inner, cipher()).subarray(0, 28))]), cipher());
    expect(noSk.ok).toBe(false);
    const garbage = openMessage(Buffer.from('not an IKE message'), cipher());
    expect(!garbage.ok && garbage.error.code).toBe('CRYPTO_WIRE_DECODE');
    expect(!garbage.ok && garbage.error.decodeError?.code).toBeDefined();
  });

  it('decrypted bytes that are not a payload chain are a decode error, not an exception', () => {
    // Seal an inner "chain" whose first payload claims a length beyond the data.
    const c = cipher();
    const bytes = sealMessage(header, [], c);
    const outer = decodeMessage(bytes);
    if (!outer.ok) throw new Error('outer');
    const sk = outer.value.payloads[0] as { nextPayload: number };
    expect(sk.nextPayload).toBe(PayloadType.NONE);
    // Now build one by hand: SK next payload says IDi but the plaintext is 3 junk octets.
    const sealer = cipher();
    const skHeaderAt = 28;
    const junk = Buffer.from([0x00, 0x00, 0xff]);
    const total = 28 + 4 + sealer.bodyLength(junk.length);
    const prefix = Buffer.from(bytes.subarray(0, 32));
    prefix.writeUInt32BE(total, 24);
    prefix[skHeaderAt] = PayloadType.IDi;
    prefix.writeUInt16BE(total - 28, skHeaderAt + 2);
    const crafted = Buffer.concat([prefix, sealer.seal(prefix, junk)]);
    const r = openMessage(crafted, cipher());
    expect(!r.ok && r.error.code).toBe('CRYPTO_WIRE_DECODE');
    expect(!r.ok && r.error.decodeError?.path).toContain('SK');
  });
});
