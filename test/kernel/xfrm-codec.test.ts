// Encode -> decode round trips through the xfrm field tables, and events
// decoded from payloads laid out as the kernel sends them.
import { describe, expect, it } from 'vitest';
import type { PolicySpec, SaSpec } from '../../src/kernel/backend.js';
import { encodeMessage, decodeMessages } from '../../src/kernel/netlink/message.js';
import { encodeStruct } from '../../src/kernel/netlink/struct.js';
import { parseAddress } from '../../src/kernel/address.js';
import { decodeEvent } from '../../src/kernel/xfrm/event-codec.js';
import { decodePolicy, encodePolicy, encodeSocketBypass, policyIndexOf } from '../../src/kernel/xfrm/policy-codec.js';
import { decodeSa, encodeSa } from '../../src/kernel/xfrm/sa-codec.js';
import { wipeKeys } from '../../src/kernel/xfrm/fields.js';
import * as X from '../../src/kernel/xfrm/structs.js';

function payloadOf(parts: { fixed: Buffer; attrs: { type: number; value: Uint8Array }[] }): Buffer {
  return decodeMessages(encodeMessage(X.XFRM_MSG_NEWSA, 0, 1, parts.fixed, parts.attrs))[0]!.payload;
}

const key = (n: number): Uint8Array => new Uint8Array(n).fill(9);

describe('SA encoding', () => {
  it('round-trips an ESN AEAD SA with encap, mark, if_id and lifetimes, without keys', () => {
    const sa: SaSpec = {
      src: '2001:db8::1',
      dst: '2001:db8::2',
      spi: 0xc0ffee01,
      proto: 'esp',
      mode: 'tunnel',
      reqid: 0x4e530007,
      algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: key(36), icvBits: 128 } },
      encap: { srcPort: 4500, dstPort: 1234 },
      esn: true,
      replayWindow: 1024,
      lifetime: { softBytes: 5, hardPackets: 6, softAddSeconds: 7, hardUseSeconds: 8 },
      mark: { value: 1, mask: 3 },
      ifId: 42,
    };
    const state = decodeSa(payloadOf(encodeSa(sa)));
    expect(state).toMatchObject({
      src: '2001:db8::1', dst: '2001:db8::2', spi: 0xc0ffee01, proto: 'esp', mode: 'tunnel', reqid: 0x4e530007,
      algorithms: { aead: { name: 'rfc4106(gcm(aes))', keyBits: 288, icvBits: 128 } },
      encap: { srcPort: 4500, dstPort: 1234 }, esn: true, replayWindow: 1024,
      lifetime: { softBytes: 5, hardPackets: 6, softAddSeconds: 7, hardUseSeconds: 8 },
      mark: { value: 1, mask: 3 }, ifId: 42, selector: { src: '::/0', dst: '::/0' }, larval: false,
    });
    // ESN state: the legacy window byte must be 0 and the bitmap sized to the window
    const fixed = encodeSa(sa).fixed;
    expect(fixed.readUInt8(X.xfrm_usersa_info.fields.find((f) => f.name === 'replay_window')!.offset)).toBe(0);
    const esn = encodeSa(sa).attrs.find((a) => a.type === X.XFRMA_REPLAY_ESN_VAL)!;
    expect(esn.value.length).toBe(X.xfrm_replay_state_esn.size + (1024 / 32) * 4);
  });

  it('keeps a small window in the legacy field and writes the SPI in network order', () => {
    const sa: SaSpec = { src: '192.0.2.1', dst: '192.0.2.2', spi: 0x01020304, proto: 'ah', mode: 'transport', reqid: 1, replayWindow: 32, algorithms: { auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } } };
    const { fixed, attrs } = encodeSa(sa);
    const spiOffset = X.xfrm_usersa_info.fields.find((f) => f.name === 'id')!.offset + 16;
    expect([...fixed.subarray(spiOffset, spiOffset + 4)]).toEqual([1, 2, 3, 4]);
    expect(attrs.map((a) => a.type)).toEqual([X.XFRMA_ALG_AUTH_TRUNC]);
    expect(decodeSa(payloadOf({ fixed, attrs }))).toMatchObject({ replayWindow: 32, esn: false, algorithms: { auth: { name: 'hmac(sha256)', keyBits: 256, truncBits: 128 } } });
  });
});

// Regression: an IPv4-in-IPv6 site-to-site tunnel (leftsubnet=198.51.100.0/24
// over left=2001:db8::1) installed and negotiated, but no packet left: the
// kernel had stamped the SAs' zero selectors with the outer family (IPv6),
// so IPv4 flows never matched them (XfrmOutNoStates, ACQUIREs instead).
describe('selector family of SAs', () => {
  const sel = X.xfrm_usersa_info.fields.find((f) => f.name === 'sel')!.offset;
  const familyOffset = sel + X.xfrm_selector.fields.find((f) => f.name === 'family')!.offset;
  const flagsOffset = X.xfrm_usersa_info.fields.find((f) => f.name === 'flags')!.offset;
  const base = { spi: 0x1001, proto: 'esp', reqid: 1, algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: key(20), icvBits: 128 } } } as const;

  it('a tunnel-mode SA without a selector is family-free (XFRM_STATE_AF_UNSPEC, selector family 0)', () => {
    const { fixed, attrs } = encodeSa({ ...base, src: '2001:db8::1', dst: '2001:db8::2', mode: 'tunnel' });
    expect(fixed.readUInt16LE(familyOffset)).toBe(0);
    expect(fixed.readUInt8(flagsOffset) & X.XFRM_STATE_AF_UNSPEC).toBe(X.XFRM_STATE_AF_UNSPEC);
    expect(decodeSa(payloadOf({ fixed, attrs })).selector).toEqual({ src: '::/0', dst: '::/0' });
  });

  it('transport mode, and any SA given a selector, keep the family', () => {
    for (const sa of [
      { ...base, src: '192.0.2.1', dst: '192.0.2.2', mode: 'transport' },
      { ...base, src: '2001:db8::1', dst: '2001:db8::2', mode: 'tunnel', selector: { src: '2001:db8:1::/64', dst: '2001:db8:2::/64' } },
    ] satisfies SaSpec[]) {
      const { fixed } = encodeSa(sa);
      expect(fixed.readUInt16LE(familyOffset)).not.toBe(0);
      expect(fixed.readUInt8(flagsOffset) & X.XFRM_STATE_AF_UNSPEC).toBe(0);
    }
  });
});

describe('key material', () => {
  const sa: SaSpec = {
    src: '192.0.2.1', dst: '192.0.2.2', spi: 1, proto: 'esp', mode: 'tunnel', reqid: 1,
    algorithms: { crypt: { name: 'cbc(aes)', key: new Uint8Array(16).fill(0xee) }, auth: { name: 'hmac(sha256)', key: new Uint8Array(32).fill(0xdd), truncBits: 128 } },
  };

  it('lives in memory of its own, never in the shared buffer pool, and is wiped after use', () => {
    const { fixed, attrs } = encodeSa(sa);
    const keyAttrs = attrs.filter((a) => a.type === X.XFRMA_ALG_CRYPT || a.type === X.XFRMA_ALG_AUTH_TRUNC);
    expect(keyAttrs).toHaveLength(2);
    for (const a of keyAttrs) expect(a.value.buffer.byteLength).toBe(a.value.length);
    const message = encodeMessage(X.XFRM_MSG_NEWSA, 0, 1, fixed, attrs, true);
    expect(message.buffer.byteLength).toBe(message.length);
    expect(message.includes(0xee) && message.includes(0xdd)).toBe(true);
    wipeKeys(attrs);
    for (const a of keyAttrs) expect(a.value.some((b) => b === 0xee || b === 0xdd)).toBe(false);
    expect(sa.algorithms.crypt!.key[0]).toBe(0xee); // the caller's key is the caller's
  });
});

describe('policy encoding', () => {
  it('round-trips templates, selector ports and block action', () => {
    const p: PolicySpec = {
      dir: 'fwd',
      selector: { src: '198.51.100.0/24', dst: '203.0.113.9/32', proto: 17, srcPort: 500, dstPort: 4500 },
      priority: 77,
      templates: [
        { proto: 'esp', mode: 'tunnel', reqid: 3, src: '192.0.2.1', dst: '192.0.2.2' },
        { proto: 'ah', mode: 'transport', reqid: 4, optional: true, spi: 0x1234 },
      ],
      mark: { value: 9, mask: 0xffff },
    };
    expect(decodePolicy(payloadOf(encodePolicy(p)))).toEqual({ ...p, index: 0, action: 'allow' });
    expect(decodePolicy(payloadOf(encodePolicy({ ...p, templates: [], action: 'block' })))).toMatchObject({ action: 'block', templates: [] });
  });

  it('reads the index of a policy notification at the struct offset', () => {
    const fixed = encodeStruct(X.xfrm_userpolicy_info, { index: 0x1234569, dir: 1 });
    expect(policyIndexOf(fixed)).toBe(0x1234569);
  });

  it('builds the per-socket bypass policy: allow, all traffic, the socket family', () => {
    const b = encodeSocketBypass('out', 6);
    expect(b.length).toBe(X.xfrm_userpolicy_info.size);
    expect(decodePolicy(b)).toMatchObject({ dir: 'out', action: 'allow', templates: [], selector: { src: '::/0', dst: '::/0' } });
  });
});

describe('event decoding', () => {
  it('ACQUIRE: reqid and endpoints from the template, selector and packet from the kernel', () => {
    const sel = (src: string, dst: string, len: number) => ({ saddr: parseAddress(src).bytes, daddr: parseAddress(dst).bytes, family: X.AF_INET, prefixlen_s: len, prefixlen_d: len });
    const fixed = encodeStruct(X.xfrm_user_acquire, {
      id: { daddr: parseAddress('192.0.2.2').bytes, proto: X.IPPROTO_ESP },
      saddr: parseAddress('192.0.2.1').bytes,
      sel: { ...sel('198.51.100.1', '203.0.113.5', 32), proto: 17, dport: 9, dport_mask: 0xffff, sport: 40000, sport_mask: 0xffff },
      policy: { sel: sel('198.51.100.0', '203.0.113.0', 24), index: 0x41, dir: 1 },
      seq: 5,
    });
    const tmpl = encodeStruct(X.xfrm_user_tmpl, { id: { daddr: parseAddress('192.0.2.2').bytes, proto: X.IPPROTO_ESP }, family: X.AF_INET, saddr: parseAddress('192.0.2.1').bytes, reqid: 0x4e530009, mode: 1 });
    const payload = decodeMessages(encodeMessage(X.XFRM_MSG_ACQUIRE, 0, 0, fixed, [{ type: X.XFRMA_TMPL, value: tmpl }]))[0]!.payload;
    expect(decodeEvent(X.XFRM_MSG_ACQUIRE, payload)).toEqual({
      type: 'acquire', reqid: 0x4e530009, policyIndex: 0x41, policyDir: 'out', src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp',
      selector: { src: '198.51.100.0/24', dst: '203.0.113.0/24' },
      packet: { src: '198.51.100.1/32', dst: '203.0.113.5/32', proto: 17, srcPort: 40000, dstPort: 9 },
      seq: 5,
    });
  });

  it('EXPIRE (soft and hard) and MAPPING', () => {
    const state = { id: { daddr: parseAddress('2001:db8::2').bytes, spi: 0xabc, proto: X.IPPROTO_ESP }, saddr: parseAddress('2001:db8::1').bytes, family: X.AF_INET6, reqid: 11 };
    for (const hard of [0, 1]) {
      const payload = encodeStruct(X.xfrm_user_expire, { state, hard });
      expect(decodeEvent(X.XFRM_MSG_EXPIRE, payload)).toEqual({ type: 'expire', hard: hard === 1, sa: { dst: '2001:db8::2', spi: 0xabc, proto: 'esp', src: '2001:db8::1', reqid: 11 } });
    }
    const mapping = encodeStruct(X.xfrm_user_mapping, {
      id: { daddr: parseAddress('192.0.2.1').bytes, spi: 0x77, family: X.AF_INET, proto: X.IPPROTO_ESP },
      reqid: 12, old_saddr: parseAddress('203.0.113.10').bytes, new_saddr: parseAddress('203.0.113.10').bytes, old_sport: 4500, new_sport: 61000,
    });
    expect(decodeEvent(X.XFRM_MSG_MAPPING, mapping)).toEqual({
      type: 'mapping', sa: { dst: '192.0.2.1', spi: 0x77, proto: 'esp' }, reqid: 12, oldSrc: '203.0.113.10', oldSrcPort: 4500, newSrc: '203.0.113.10', newSrcPort: 61000,
    });
  });

  it('a truncated event payload throws (the backend drops it) and other types are ignored', () => {
    expect(() => decodeEvent(X.XFRM_MSG_EXPIRE, Buffer.alloc(10))).toThrow(RangeError);
    expect(decodeEvent(X.XFRM_MSG_NEWPOLICY, Buffer.alloc(300))).toBeUndefined();
  });
});
