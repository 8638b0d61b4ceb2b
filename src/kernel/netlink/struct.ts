// Declarative C struct layouts. A struct is a list of [field, type]; offsets,
// padding and total size follow the x86-64/aarch64 Linux C ABI (each field at
// a multiple of its alignment, the size rounded up to the struct's
// alignment), so tables can be copied field by field from kernel headers and
// test/kernel/xfrm-layout.test.ts checks them against the C compiler.

export type Scalar = 'u8' | 'u16' | 'u32' | 'i32' | 'u64' | 'be16' | 'be32';
export type FieldType = Scalar | StructDef | { bytes: number; align: number };

export interface StructDef {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
}

export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
}

const SCALAR_SIZE: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, i32: 4, u64: 8, be16: 2, be32: 4 };

function sizeOf(t: FieldType): number {
  if (typeof t === 'string') return SCALAR_SIZE[t];
  return 'bytes' in t ? t.bytes : t.size;
}

function alignOf(t: FieldType): number {
  if (typeof t === 'string') return SCALAR_SIZE[t];
  return t.align;
}

export function defineStruct(name: string, fields: ReadonlyArray<readonly [string, FieldType]>): StructDef {
  let offset = 0;
  let align = 1;
  const layout: FieldLayout[] = [];
  for (const [fieldName, type] of fields) {
    const a = alignOf(type);
    offset = Math.ceil(offset / a) * a;
    layout.push({ name: fieldName, type, offset });
    offset += sizeOf(type);
    align = Math.max(align, a);
  }
  return { name, size: Math.ceil(offset / align) * align, align, fields: layout };
}

/** A field value: numbers for scalars up to 32 bits, bigint for u64, nested objects, bytes. */
export type StructValue = { [field: string]: number | bigint | Uint8Array | StructValue | undefined };

type Encoder = (value: StructValue, buf: Buffer, at: number) => void;

/**
 * Per-struct encoders generated once from the field table. A single generic
 * loop reads fields by computed name from objects of many shapes, which V8
 * handles as megamorphic lookups (several µs per policy); a generated
 * function per struct reads each field by its literal name. The table stays
 * the only source of the layout.
 */
const encoders = new WeakMap<StructDef, Encoder>();

function writeU64(buf: Buffer, v: number | bigint, o: number): void {
  // Numbers (exact up to 2^53) avoid a BigInt allocation per field.
  if (typeof v === 'bigint') {
    buf.writeBigUInt64LE(v, o);
    return;
  }
  buf.writeUInt32LE(v % 0x1_0000_0000, o);
  buf.writeUInt32LE(Math.floor(v / 0x1_0000_0000), o + 4);
}

function writeBytes(buf: Buffer, v: Uint8Array, o: number, max: number, where: string): void {
  if (v.length > max) throw new RangeError(`${where}: ${v.length} bytes > ${max}`);
  buf.set(v, o);
}

const WRITE: Record<Scalar, string> = {
  u8: 'buf.writeUInt8(Number(v), o)',
  u16: 'buf.writeUInt16LE(Number(v), o)',
  u32: 'buf.writeUInt32LE(Number(v) >>> 0, o)',
  i32: 'buf.writeInt32LE(Number(v), o)',
  u64: 'writeU64(buf, v, o)',
  be16: 'buf.writeUInt16BE(Number(v), o)',
  be32: 'buf.writeUInt32BE(Number(v) >>> 0, o)',
};

function encoderOf(def: StructDef): Encoder {
  let encoder = encoders.get(def);
  if (encoder) return encoder;
  const nested: Encoder[] = [];
  const lines = ['let v, o;'];
  for (const f of def.fields) {
    lines.push(`v = value[${JSON.stringify(f.name)}]; o = at + ${f.offset};`);
    const t = f.type;
    if (typeof t === 'string') lines.push(`if (v !== undefined) ${WRITE[t]};`);
    else if ('bytes' in t) lines.push(`if (v !== undefined) writeBytes(buf, v, o, ${t.bytes}, ${JSON.stringify(`${def.name}.${f.name}`)});`);
    else {
      nested.push(encoderOf(t));
      lines.push(`if (v !== undefined) nested[${nested.length - 1}](v, buf, o);`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from our own field tables only
  const factory = new Function('writeU64', 'writeBytes', 'nested', `return function encode_${def.name}(value, buf, at) {\n${lines.join('\n')}\n};`) as (
    w: typeof writeU64,
    b: typeof writeBytes,
    n: Encoder[],
  ) => Encoder;
  encoder = factory(writeU64, writeBytes, nested);
  encoders.set(def, encoder);
  return encoder;
}

/** Encodes `value` into `buf` at `at`; absent fields stay zero. */
export function encodeStruct(def: StructDef, value: StructValue, buf: Buffer = Buffer.allocUnsafe(def.size).fill(0), at = 0): Buffer {
  encoderOf(def)(value, buf, at);
  return buf;
}

/** Decodes a struct; throws RangeError if `buf` is too short. */
export function decodeStruct(def: StructDef, buf: Buffer, at = 0): StructValue {
  if (buf.length < at + def.size) throw new RangeError(`${def.name}: need ${def.size} bytes, have ${buf.length - at}`);
  const out: StructValue = {};
  for (const f of def.fields) {
    const o = at + f.offset;
    const t = f.type;
    if (typeof t === 'string') {
      switch (t) {
        case 'u8': out[f.name] = buf.readUInt8(o); break;
        case 'u16': out[f.name] = buf.readUInt16LE(o); break;
        case 'u32': out[f.name] = buf.readUInt32LE(o); break;
        case 'i32': out[f.name] = buf.readInt32LE(o); break;
        case 'u64': out[f.name] = buf.readBigUInt64LE(o); break;
        case 'be16': out[f.name] = buf.readUInt16BE(o); break;
        case 'be32': out[f.name] = buf.readUInt32BE(o); break;
      }
    } else if ('bytes' in t) {
      out[f.name] = buf.subarray(o, o + t.bytes);
    } else {
      out[f.name] = decodeStruct(t, buf, o);
    }
  }
  return out;
}
