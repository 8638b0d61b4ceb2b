// A bounds-checked cursor over one structure of a message. Offsets are
// absolute (into the buffer handed to the public decoder) so errors point at
// the exact byte. Byte fields are returned as Buffer views, not copies:
// decoding stays allocation-light, and callers that mutate the input buffer
// must copy first.

import { DecodeErrorCode, WireError } from './errors.js';

const EMPTY = Buffer.alloc(0);

export class ByteReader {
  pos: number;

  /**
   * `parent`, `segment` and `index` describe where this structure sits, e.g.
   * segment "transform", index 2 under the reader of "SA/proposal[1]". The
   * path string is only built when an error needs it, so the success path
   * never formats strings.
   */
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly parent: ByteReader | null,
    readonly segment: string,
    readonly index = 0,
  ) {
    this.pos = start;
  }

  get path(): string {
    return joinPath(this.parent, this.segment, this.index);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      throw new WireError(
        DecodeErrorCode.TRUNCATED,
        `${field}: needs ${n} byte(s), ${this.end - this.pos} left`,
        this.pos,
        this.path,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(field: string): number {
    this.need(3, field);
    const b = this.buf;
    const v = (b[this.pos]! << 16) | (b[this.pos + 1]! << 8) | b[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    const v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    // Zero-length fields (empty notify data, empty SPIs, CP requests) share
    // one empty Buffer: nothing in it can be mutated.
    if (n === 0) return EMPTY;
    this.need(n, field);
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return v;
  }

  /** All bytes up to the end of this structure. */
  rest(): Buffer {
    return this.bytes(this.end - this.pos, 'data');
  }

  /**
   * Carves a sub-structure of `length` bytes starting at `start` (which must be
   * the current position) and advances past it. A length that overruns this
   * structure is reported at the sub-structure's first byte.
   */
  sub(length: number, segment: string, index: number, minLength: number, what: string): ByteReader {
    const start = this.pos;
    if (length < minLength) {
      throw new WireError(
        DecodeErrorCode.INVALID_LENGTH,
        `${what} length ${length} is below the minimum ${minLength}`,
        start,
        joinPath(this, segment, index),
      );
    }
    if (length > this.end - start) {
      throw new WireError(
        DecodeErrorCode.TRUNCATED,
        `${what} length ${length} exceeds the ${this.end - start} byte(s) left`,
        start,
        joinPath(this, segment, index),
      );
    }
    this.pos = start + length;
    return new ByteReader(this.buf, start, start + length, this, segment, index);
  }

  /** Structures that must fill their container exactly call this last. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new WireError(
        DecodeErrorCode.TRAILING_DATA,
        `${this.end - this.pos} byte(s) left over after ${what}`,
        this.pos,
        this.path,
      );
    }
  }

  fail(code: DecodeErrorCode, message: string, offset = this.pos, path = this.path): never {
    throw new WireError(code, message, offset, path);
  }
}

/** "parent/segment[index]"; index 0 means no index. */
export function joinPath(parent: ByteReader | null, segment: string, index: number): string {
  const own = index > 0 ? `${segment}[${index}]` : segment;
  if (parent === null) return own;
  const base = parent.path;
  return base ? `${base}/${own}` : own;
}
