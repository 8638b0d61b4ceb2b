// A growable big-endian byte writer with back-patching, so lengths are
// written after the structure they measure. Encoding works on values we
// built ourselves; an out-of-range field is a programming error and throws
// a RangeError (decoding, which faces the network, never throws).

export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initialSize = 512) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number, field: string): void {
    check(v, 0xff, field);
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number, field: string): void {
    check(v, 0xffff, field);
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
  }

  u24(v: number, field: string): void {
    check(v, 0xffffff, field);
    this.ensure(3);
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }

  u32(v: number, field: string): void {
    check(v, 0xffffffff, field);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  bytes(v: Uint8Array, field?: string, exactLength?: number): void {
    if (exactLength !== undefined && v.length !== exactLength) {
      throw new RangeError(`${field ?? 'bytes'}: must be ${exactLength} bytes, got ${v.length}`);
    }
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes a 16-bit value at an earlier position (for length fields). */
  patchU16(at: number, v: number, field: string): void {
    check(v, 0xffff, field);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  patchU32(at: number, v: number, field: string): void {
    check(v, 0xffffffff, field);
    this.buf.writeUInt32BE(v, at);
  }

  /** The bytes written so far, as a fresh Buffer of exactly that length. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function check(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${field}: ${v} does not fit (0..${max})`);
  }
}
