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

/** Encodes `value` into `buf` at `at`; absent fields stay zero. */
export function encodeStruct(def: StructDef, value: StructValue, buf: Buffer = Buffer.alloc(def.size), at = 0): Buffer {
  for (const f of def.fields) {
    const v = value[f.name];
    if (v === undefined) continue;
    const o = at + f.offset;
    const t = f.type;
    if (typeof t === 'string') {
      switch (t) {
        case 'u8': buf.writeUInt8(Number(v), o); break;
        case 'u16': buf.writeUInt16LE(Number(v), o); break;
        case 'u32': buf.writeUInt32LE(Number(v) >>> 0, o); break;
        case 'i32': buf.writeInt32LE(Number(v), o); break;
        case 'u64': buf.writeBigUInt64LE(BigInt(v as number | bigint), o); break;
        case 'be16': buf.writeUInt16BE(Number(v), o); break;
        case 'be32': buf.writeUInt32BE(Number(v) >>> 0, o); break;
      }
    } else if ('bytes' in t) {
      const bytes = v as Uint8Array;
      if (bytes.length > t.bytes) throw new RangeError(`${def.name}.${f.name}: ${bytes.length} bytes > ${t.bytes}`);
      buf.set(bytes, o);
    } else {
      encodeStruct(t, v as StructValue, buf, o);
    }
  }
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
