import { describe, expect, it } from 'vitest';
import { decodeAttributes, decodeMessages, encodeMessage, NLM_F_ACK, NLM_F_REQUEST } from '../../src/kernel/netlink/message.js';

describe('netlink framing', () => {
  it('pads the fixed part and each attribute to 4 bytes and writes the total length', () => {
    const m = encodeMessage(0x13, NLM_F_REQUEST | NLM_F_ACK, 7, Buffer.from([1, 2, 3]), [{ type: 5, value: Buffer.from([9]) }]);
    expect(m.length).toBe(16 + 4 + 8);
    expect([...m.subarray(0, 16)]).toEqual([28, 0, 0, 0, 0x13, 0, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0]);
    expect([...m.subarray(16)]).toEqual([1, 2, 3, 0, 5, 0, 5, 0, 9, 0, 0, 0]);
  });

  it('splits concatenated messages and reads attributes back', () => {
    const a = encodeMessage(16, 0, 1, Buffer.alloc(4, 0xaa), [{ type: 2, value: Buffer.from('xy') }, { type: 3 | 0x8000, value: Buffer.alloc(4, 1) }]);
    const b = encodeMessage(3, 2, 2, Buffer.alloc(0));
    const [ma, mb] = decodeMessages(Buffer.concat([a, b]));
    expect(ma).toMatchObject({ type: 16, seq: 1 });
    expect(mb).toMatchObject({ type: 3, flags: 2, seq: 2 });
    const attrs = decodeAttributes(ma!.payload, 4);
    expect(attrs.get(2)?.toString()).toBe('xy');
    expect([...attrs.get(3)!]).toEqual([1, 1, 1, 1]); // NLA_F_NESTED bit stripped
  });

  it('throws on a message whose length runs past the buffer', () => {
    const m = encodeMessage(16, 0, 1, Buffer.alloc(8));
    expect(() => decodeMessages(m.subarray(0, 20))).toThrow(/malformed netlink message: length 24 at offset 0 of 20/);
    m.writeUInt32LE(8, 0);
    expect(() => decodeMessages(m)).toThrow(/malformed/);
  });

  it('ignores a truncated trailing attribute', () => {
    const payload = Buffer.from([8, 0, 1, 0, 1, 2, 3, 4, 40, 0, 2, 0]);
    expect([...decodeAttributes(payload, 0).keys()]).toEqual([1]);
  });
});
