// NetlinkSocket against a fake native layer: reply matching, errors with
// extended-ack text, batching, the in-flight window, key wiping, overflow
// and malformed input, all deterministic.
import { describe, expect, it } from 'vitest';
import { encodeMessage, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, u32Attr } from '../../src/kernel/netlink/message.js';
import type { NativeError, NativeSockets } from '../../src/kernel/netlink/native.js';
import { NetlinkError, NetlinkSocket } from '../../src/kernel/netlink/socket.js';

const PORTID = 4242;

function fake() {
  const sent: Buffer[] = [];
  const snapshots: Buffer[] = [];
  let deliver: (err: NativeError | null, data: Buffer | null) => void = () => {};
  const native: NativeSockets = {
    netlinkOpen: () => [99, PORTID],
    netlinkSend: (_fd, data) => {
      sent.push(data as Buffer);
      snapshots.push(Buffer.from(data));
      return data.length;
    },
    netlinkWatch: (_fd, cb) => void (deliver = cb),
    netlinkClose: () => {},
    setsockopt: () => {},
  };
  return { native, sent, snapshots, receive: (...parts: Buffer[]) => deliver(null, Buffer.concat(parts)), fail: (e: NativeError) => deliver(e, null) };
}

const seqOf = (b: Buffer, at = 0) => b.readUInt32LE(at + 8);
const header = (type: number, seq: number, pid = PORTID, flags = 0, payload: Buffer = Buffer.alloc(0)) => {
  const m = encodeMessage(type, flags, seq, payload);
  m.writeUInt32LE(pid, 12);
  return m;
};
const ack = (seq: number, code = 0, flags = 0, tlv?: Buffer) => header(NLMSG_ERROR, seq, PORTID, flags, Buffer.concat([Buffer.from(Int32Array.of(code).buffer), Buffer.alloc(16), tlv ?? Buffer.alloc(0)]));
const tick = () => new Promise((r) => setImmediate(r));

describe('NetlinkSocket', () => {
  it('batches the requests of one tick into one datagram and matches acks by sequence number', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    const a = s.request(0x13, 0, Buffer.alloc(4), [], 'ack');
    const b = s.request(0x14, 0, Buffer.alloc(4), [u32Attr(1, 7)], 'ack');
    await tick();
    expect(f.sent).toHaveLength(1);
    const seqA = seqOf(f.sent[0]!);
    const seqB = seqOf(f.sent[0]!, 20);
    f.receive(ack(seqB), ack(seqA));
    await expect(b).resolves.toEqual([]);
    await expect(a).resolves.toEqual([]);
  });

  it('collects messages sent before the ack, and routes other port ids to onUnsolicited', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    const seen: number[] = [];
    s.onUnsolicited = (m) => seen.push(m.type);
    const p = s.request(0x13, 0, Buffer.alloc(4), [], 'ack');
    await tick();
    const seq = seqOf(f.sent[0]!);
    f.receive(header(0x13, seq, 1), header(0x13, seq, PORTID, 0, Buffer.alloc(8, 1)), ack(seq));
    const replies = await p;
    expect(replies.map((m) => [m.type, m.payload.length])).toEqual([[0x13, 8]]);
    expect(seen).toEqual([0x13]);
  });

  it('turns a negative ack into NetlinkError with the errno name and the kernel text', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    const p = s.request(0x10, 0, Buffer.alloc(4), [], 'ack');
    await tick();
    const text = Buffer.from('Requested type not found\0');
    const tlv = Buffer.concat([Buffer.from(Uint16Array.of(4 + text.length, 1).buffer), text, Buffer.alloc((4 - (text.length % 4)) % 4)]);
    f.receive(ack(seqOf(f.sent[0]!), -93, NLM_F_CAPPED | NLM_F_ACK_TLVS, tlv));
    const err = (await p.catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect([err.errno, err.kernelMessage]).toEqual(['EPROTONOSUPPORT', 'Requested type not found']);
  });

  it('collects a dump until NLMSG_DONE', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    const p = s.request(0x12, 0, Buffer.alloc(0), [], 'dump');
    await tick();
    const seq = seqOf(f.sent[0]!);
    f.receive(header(0x10, seq, PORTID, 2), header(0x10, seq, PORTID, 2));
    f.receive(header(NLMSG_DONE, seq, PORTID, 2, Buffer.alloc(4)));
    expect(await p).toHaveLength(2);
  });

  it('keeps at most `window` requests in flight and sends the next when one settles', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native, window: 2 });
    const all = [1, 2, 3].map(() => s.request(0x13, 0, Buffer.alloc(4), [], 'ack'));
    await tick();
    expect(f.sent.reduce((n, d) => n + d.length / 20, 0)).toBe(2);
    f.receive(ack(seqOf(f.sent[0]!)));
    await tick();
    expect(f.sent.reduce((n, d) => n + d.length / 20, 0)).toBe(3);
    f.receive(ack(seqOf(f.sent[0]!, 20)), ack(seqOf(f.sent[1]!)));
    await Promise.all(all);
  });

  it('wipes a request holding keys once it is sent', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    const closed = (p: Promise<unknown>) => p.catch((e: Error) => e.message);
    const a = closed(s.request(0x10, 0, Buffer.alloc(4, 0xab), [], 'ack', { secret: true }));
    const b = closed(s.request(0x13, 0, Buffer.alloc(4, 0xcd), [], 'ack'));
    await tick();
    expect(f.snapshots[0]!.includes(0xab)).toBe(true); // what the kernel got
    expect(f.sent[0]!.includes(0xab)).toBe(false); // what is left in memory
    s.close();
    expect(await Promise.all([a, b])).toEqual(['netlink socket closed', 'netlink socket closed']);
  });

  it('fails requests in flight and reports overflow on ENOBUFS', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    let overflows = 0;
    s.onOverflow = () => overflows++;
    const p = s.request(0x13, 0, Buffer.alloc(4), [], 'ack');
    await tick();
    f.fail(Object.assign(new Error('recv: No buffer space available (ENOBUFS)'), { code: 'ENOBUFS', errno: 105 }));
    await expect(p).rejects.toMatchObject({ code: 'ENOBUFS' });
    expect(overflows).toBe(1);
  });

  it('drops and counts malformed input without throwing, and keeps working', async () => {
    const f = fake();
    const s = new NetlinkSocket(6, { native: f.native });
    s.onUnsolicited = () => {
      throw new Error('listener bug');
    };
    const p = s.request(0x13, 0, Buffer.alloc(4), [], 'ack');
    await tick();
    const seq = seqOf(f.sent[0]!);
    const truncatedError = header(NLMSG_ERROR, seq, PORTID, 0, Buffer.alloc(2));
    truncatedError.writeUInt32LE(18, 0); // an error message with only 2 bytes of its code
    expect(() => f.receive(header(0x99, 0, 1))).not.toThrow(); // listener throws: contained
    const pastTheEnd = Buffer.alloc(16);
    pastTheEnd.writeUInt32LE(200, 0);
    expect(() => f.receive(pastTheEnd)).not.toThrow(); // length runs past the end
    expect(() => f.receive(header(0x99, 0, 1), Buffer.from([1, 2, 3]))).not.toThrow(); // trailing garbage
    expect(s.dropped).toBe(4);
    f.receive(truncatedError);
    await expect(p).rejects.toMatchObject({ errno: 'EPROTO' });
  });
});
