// One AF_NETLINK socket driven by the libuv loop. Requests are matched to
// replies by sequence number; several may be in flight at once (pipelining
// is what makes thousands of policy changes per second possible), bounded
// by a window so acknowledgements never overrun the receive buffer.
// Messages that belong to no request (multicast events) go to onUnsolicited.
import { errnoName } from './errno.js';
import {
  align4,
  decodeAttributes,
  encodeMessage,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_ADD_MEMBERSHIP,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
  SOL_NETLINK,
  type Attribute,
  type NetlinkMessage,
} from './message.js';
import { loadNative, type NativeError, type NativeSockets } from './native.js';

/** A failed request: errno as reported by the kernel plus its extended-ack text. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    readonly errno: string,
    readonly kernelMessage: string | undefined,
    readonly requestType: number,
  ) {
    super(`netlink request ${requestType} failed: ${errno}${kernelMessage ? ` (${kernelMessage})` : ''}`);
  }
}

/** Upper bound of one batched datagram (well below the default socket send buffer). */
const BATCH_BYTES = 32 * 1024;

type ReplyKind = 'ack' | 'single' | 'dump';

interface Pending {
  type: number;
  kind: ReplyKind;
  replies: NetlinkMessage[];
  resolve(messages: NetlinkMessage[]): void;
  reject(err: Error): void;
}

interface Queued {
  seq: number;
  bytes: Buffer;
  /** Holds key material: own memory, wiped once sent. */
  secret: boolean;
}

export interface NetlinkSocketOptions {
  /** Multicast groups to join (group numbers, not bit masks). */
  groups?: number[];
  /** Receive buffer in bytes (SO_RCVBUFFORCE when privileged). */
  rcvbufBytes?: number;
  /** Maximum requests in flight. */
  window?: number;
  /** The socket calls (tests pass a fake; default: nodeswan's addon). */
  native?: NativeSockets;
}

export class NetlinkSocket {
  private readonly native: NativeSockets;
  private readonly fd: number;
  readonly portid: number;
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private readonly window: number;
  private closed = false;
  private dumps: Promise<unknown> = Promise.resolve();
  private readonly outbox: Queued[] = [];
  private outboxBytes = 0;
  onUnsolicited: ((message: NetlinkMessage) => void) | undefined;
  /** Malformed messages from the kernel that were dropped. */
  dropped = 0;
  /** The receive queue overflowed (ENOBUFS): messages were lost. */
  onOverflow: (() => void) | undefined;

  constructor(protocol: number, options: NetlinkSocketOptions = {}) {
    this.native = options.native ?? loadNative();
    const [fd, portid] = this.native.netlinkOpen(protocol, options.rcvbufBytes ?? 8 << 20);
    this.fd = fd;
    this.portid = portid;
    this.window = options.window ?? 256;
    this.seq = (Date.now() & 0x7fffffff) >>> 0;
    try {
      this.native.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      this.native.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      for (const group of options.groups ?? []) {
        this.native.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
      }
      this.native.netlinkWatch(fd, (err, data) => this.onData(err, data));
    } catch (err) {
      this.native.netlinkClose(fd);
      throw err;
    }
  }

  /**
   * Sends one request. kind 'ack': resolves with any messages the kernel sent
   * for this sequence number before its acknowledgement (NLM_F_ACK is added).
   * 'single': resolves with the one reply. 'dump': resolves with all parts.
   */
  request(
    type: number,
    flags: number,
    fixed: Uint8Array,
    attrs: readonly Attribute[],
    kind: ReplyKind,
    options: { secret?: boolean } = {},
  ): Promise<NetlinkMessage[]> {
    const secret = options.secret === true;
    if (kind !== 'dump') return this.send1(type, flags, fixed, attrs, kind, secret);
    // The kernel runs one dump per socket at a time (EBUSY otherwise).
    const run = this.dumps.then(() => this.send1(type, flags, fixed, attrs, kind, secret));
    this.dumps = run.catch(() => undefined);
    return run;
  }

  private send1(type: number, flags: number, fixed: Uint8Array, attrs: readonly Attribute[], kind: ReplyKind, secret: boolean): Promise<NetlinkMessage[]> {
    if (this.closed) return Promise.reject(new Error('netlink socket closed'));
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    let f = flags | NLM_F_REQUEST;
    if (kind === 'ack') f |= NLM_F_ACK;
    if (kind === 'dump') f |= NLM_F_DUMP;
    const bytes = encodeMessage(type, f, seq, fixed, attrs, secret);
    return new Promise<NetlinkMessage[]>((resolve, reject) => {
      this.pending.set(seq, { type, kind, replies: [], resolve, reject });
      const q = { seq, bytes, secret };
      if (this.pending.size - this.queue.length > this.window) this.queue.push(q);
      else this.send(q);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.netlinkClose(this.fd);
    const err = new Error('netlink socket closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const q of [...this.queue.splice(0), ...this.outbox.splice(0)]) if (q.secret) q.bytes.fill(0);
  }

  /**
   * Requests made in the same tick go out in one datagram: the kernel
   * processes every message in it and acknowledges each, so a burst of
   * policy changes costs one system call instead of one each.
   */
  private send(q: Queued): void {
    if (this.outbox.length === 0) queueMicrotask(() => this.flushOutbox());
    this.outbox.push(q);
    this.outboxBytes += q.bytes.length;
    if (this.outboxBytes >= BATCH_BYTES) this.flushOutbox();
  }

  private flushOutbox(): void {
    if (this.outbox.length === 0 || this.closed) return;
    const batch = this.outbox.splice(0);
    this.outboxBytes = 0;
    const secret = batch.some((q) => q.secret);
    let datagram = batch[0]!.bytes;
    if (batch.length > 1) {
      datagram = secret ? Buffer.alloc(this.outboxBytesOf(batch)) : Buffer.allocUnsafe(this.outboxBytesOf(batch));
      let at = 0;
      for (const q of batch) at += q.bytes.copy(datagram, at);
    }
    try {
      this.native.netlinkSend(this.fd, datagram);
    } catch (err) {
      for (const q of batch) this.settle(q.seq, (p) => p.reject(err as Error));
    } finally {
      if (secret) {
        datagram.fill(0);
        for (const q of batch) if (q.secret) q.bytes.fill(0);
      }
    }
  }

  private outboxBytesOf(batch: Queued[]): number {
    let total = 0;
    for (const q of batch) total += q.bytes.length;
    return total;
  }

  private settle(seq: number, how: (p: Pending) => void): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    how(p);
    const next = this.queue.shift();
    if (next) this.send(next);
  }

  private onData(err: NativeError | null, data: Buffer | null): void {
    if (err) {
      // ENOBUFS: the receive queue overflowed and replies were lost; fail
      // everything in flight rather than hang.
      for (const q of this.queue.splice(0)) if (q.secret) q.bytes.fill(0);
      for (const seq of [...this.pending.keys()]) this.settle(seq, (p) => p.reject(err));
      if (err.code === 'ENOBUFS') this.onOverflow?.();
      return;
    }
    if (!data) return;
    // Walk the headers in place: plain acks (most replies) settle their
    // request without allocating a message object.
    let at = 0;
    while (at + NLMSG_HDRLEN <= data.length) {
      const length = data.readUInt32LE(at);
      if (length < NLMSG_HDRLEN || at + length > data.length) {
        this.dropped++; // malformed: the rest of this buffer is dropped
        return;
      }
      const type = data.readUInt16LE(at + 4);
      const seq = data.readUInt32LE(at + 8);
      const pid = data.readUInt32LE(at + 12);
      const mine = pid === this.portid && this.pending.has(seq);
      if (mine && (type === NLMSG_DONE || (type === NLMSG_ERROR && length >= NLMSG_HDRLEN + 4 && data.readInt32LE(at + NLMSG_HDRLEN) === 0))) {
        this.settle(seq, (q) => q.resolve(q.replies));
      } else {
        try {
          this.dispatch({ type, flags: data.readUInt16LE(at + 6), seq, pid, payload: data.subarray(at + NLMSG_HDRLEN, at + length) });
        } catch {
          // A listener or decoder choked on a malformed message: drop it,
          // never let it escape into the native callback (that would be fatal).
          this.dropped++;
        }
      }
      at += align4(length);
    }
    if (at < data.length) this.dropped++; // trailing bytes shorter than a header
  }

  private dispatch(m: NetlinkMessage): void {
    const p = m.pid === this.portid ? this.pending.get(m.seq) : undefined;
    if (!p) {
      this.onUnsolicited?.(m);
      return;
    }
    if (m.type === NLMSG_ERROR) {
      if (m.payload.length < 4) {
        this.settle(m.seq, (q) => q.reject(new NetlinkError('EPROTO', 'truncated error message from the kernel', q.type)));
        return;
      }
      const code = m.payload.readInt32LE(0);
      if (code === 0) this.settle(m.seq, (q) => q.resolve(q.replies));
      else this.settle(m.seq, (q) => q.reject(new NetlinkError(errnoName(code), extackMessage(m), q.type)));
      return;
    }
    if (m.type === NLMSG_DONE) {
      this.settle(m.seq, (q) => q.resolve(q.replies));
      return;
    }
    p.replies.push(m);
    if (p.kind === 'single' && !(m.flags & NLM_F_MULTI)) this.settle(m.seq, (q) => q.resolve(q.replies));
  }
}

/** The kernel's human-readable reason from an extended ack, if any. */
function extackMessage(m: NetlinkMessage): string | undefined {
  if (!(m.flags & NLM_F_ACK_TLVS) || m.payload.length < 4 + NLMSG_HDRLEN) return undefined;
  // nlmsgerr = int error + the request's nlmsghdr (+ its payload unless capped)
  let fixed = 4 + NLMSG_HDRLEN;
  if (!(m.flags & NLM_F_CAPPED)) fixed = 4 + m.payload.readUInt32LE(4);
  const text = decodeAttributes(m.payload, fixed).get(NLMSGERR_ATTR_MSG);
  return text ? text.toString('utf8').replace(/\0.*$/s, '') : undefined;
}
