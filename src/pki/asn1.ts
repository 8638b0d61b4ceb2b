// DER building and reading for certificates and CRLs, on node-forge's ASN.1
// engine (X.690 length forms, OID encoding, strict parsing). This file is
// the only place that sees forge's "binary string" representation: the rest
// of src/pki works with Buffers and the small constructors below.
import forge from 'node-forge';
import { PkiError } from './errors.js';

const { asn1 } = forge;
export type Asn1 = forge.asn1.Asn1;
const { Class, Type } = asn1;

const bin = (bytes: Uint8Array): string => Buffer.from(bytes).toString('binary');
const buf = (binary: string): Buffer => Buffer.from(binary, 'binary');

const prim = (type: number, content: string): Asn1 => asn1.create(Class.UNIVERSAL, type, false, content);
const cons = (type: number, items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, type, true, items);

export const der = {
  sequence: (items: Asn1[]): Asn1 => cons(Type.SEQUENCE, items),
  set: (items: Asn1[]): Asn1 => cons(Type.SET, items),
  oid: (dotted: string): Asn1 => prim(Type.OID, asn1.oidToDer(dotted).getBytes()),
  null: (): Asn1 => prim(Type.NULL, ''),
  boolean: (value: boolean): Asn1 => prim(Type.BOOLEAN, value ? '\xff' : '\x00'),
  /** A non-negative INTEGER from its unsigned big-endian magnitude. */
  unsigned(magnitude: Uint8Array): Asn1 {
    let start = 0;
    while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
    const bytes = Buffer.from(magnitude.subarray(start));
    const content = bytes.length === 0 ? Buffer.from([0]) : (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
    return prim(Type.INTEGER, bin(content));
  },
  integer(value: number | bigint): Asn1 {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError('negative INTEGER not needed here');
    const hex = big.toString(16);
    return der.unsigned(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  },
  enumerated: (value: number): Asn1 => prim(Type.ENUMERATED, String.fromCharCode(value)),
  octetString: (content: Uint8Array | Asn1): Asn1 => prim(Type.OCTETSTRING, content instanceof Uint8Array ? bin(content) : bin(encode(content))),
  /** BIT STRING whose content is whole octets (keys, signatures). */
  bitString: (content: Uint8Array): Asn1 => prim(Type.BITSTRING, `\x00${bin(content)}`),
  /** BIT STRING of named bits (X.690 11.2.2: trailing zero bits are dropped). */
  namedBits(bits: number[]): Asn1 {
    if (bits.length === 0) return prim(Type.BITSTRING, '\x00');
    const highest = Math.max(...bits);
    const octets = Buffer.alloc((highest >> 3) + 1);
    for (const bit of bits) octets[bit >> 3]! |= 0x80 >> (bit & 7);
    const unused = 7 - (highest & 7);
    return prim(Type.BITSTRING, String.fromCharCode(unused) + bin(octets));
  },
  utf8: (text: string): Asn1 => prim(Type.UTF8, bin(Buffer.from(text, 'utf8'))),
  printable: (text: string): Asn1 => prim(Type.PRINTABLESTRING, text),
  ia5: (text: string): Asn1 => prim(Type.IA5STRING, text),
  /** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
  time(date: Date): Asn1 {
    const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    const year = date.getUTCFullYear();
    if (year < 1950 || year > 9999) throw new PkiError('PKI_BAD_OPTION', `date ${iso} is outside 1950..9999`);
    return year < 2050 ? prim(Type.UTCTIME, digits.slice(2)) : prim(Type.GENERALIZEDTIME, digits);
  },
  /** [n] EXPLICIT wrapper. */
  explicit: (n: number, inner: Asn1): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, n, true, [inner]),
  /** [n] IMPLICIT primitive (e.g. GeneralName dNSName, keyIdentifier). */
  implicit: (n: number, content: Uint8Array | string): Asn1 =>
    asn1.create(Class.CONTEXT_SPECIFIC, n, false, typeof content === 'string' ? content : bin(content)),
  /** [n] IMPLICIT constructed (e.g. DistributionPointName fullName). */
  implicitConstructed: (n: number, items: Asn1[]): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, n, true, items),
  /** An already encoded element, spliced in byte for byte (it must be DER). */
  raw(encoded: Uint8Array): Asn1 {
    const node = decode(encoded);
    if (!encode(node).equals(encoded)) throw new PkiError('PKI_BAD_CERT', 'element is BER, not DER: it cannot be copied unchanged');
    return node;
  },
};

export function encode(node: Asn1): Buffer {
  return buf(asn1.toDer(node).getBytes());
}

/** Strict DER decode of exactly one element; BIT STRING contents stay opaque. */
export function decode(encoded: Uint8Array): Asn1 {
  const options = { strict: true, parseAllBytes: true, decodeBitStrings: false };
  return (asn1.fromDer as unknown as (b: string, o: typeof options) => Asn1)(bin(encoded), options);
}

// --- reading helpers (on decoded nodes) --------------------------------

export const TYPE = Type;
export const CLASS = Class;

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

export function bytes(node: Asn1 | undefined): Buffer {
  return node && typeof node.value === 'string' ? buf(node.value) : Buffer.alloc(0);
}

export function oidOf(node: Asn1 | undefined): string {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== Type.OID) throw new Error('expected OBJECT IDENTIFIER');
  return asn1.derToOid(node.value as string);
}

export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === Class.UNIVERSAL && node.type === type;
}

export function isContext(node: Asn1 | undefined, n: number): boolean {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === n;
}

/** Text of a string-typed node (UTF8String, PrintableString, IA5String, BMPString...). */
export function text(node: Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') return '';
  if (node.type === Type.BMPSTRING) return buf(node.value).swap16().toString('utf16le');
  return buf(node.value).toString(node.type === Type.UTF8 ? 'utf8' : 'latin1');
}

export function timeOf(node: Asn1 | undefined): Date {
  if (isUniversal(node, Type.UTCTIME)) return asn1.utcTimeToDate(node!.value as string);
  if (isUniversal(node, Type.GENERALIZEDTIME)) return asn1.generalizedTimeToDate(node!.value as string);
  throw new Error('expected UTCTime or GeneralizedTime');
}

export function integerHex(node: Asn1 | undefined): string {
  if (!isUniversal(node, Type.INTEGER)) throw new Error('expected INTEGER');
  const content = bytes(node);
  const start = content.length > 1 && content[0] === 0 ? 1 : 0;
  return content.subarray(start).toString('hex');
}

// --- raw slicing: exact bytes of nested elements ------------------------

/** Splits the content of the constructed element `encoded` into its children's exact encodings. */
export function rawChildren(encoded: Uint8Array): Buffer[] {
  const whole = Buffer.from(encoded);
  const { headerLength, contentLength } = readHeader(whole, 0);
  const out: Buffer[] = [];
  let offset = headerLength;
  const end = headerLength + contentLength;
  while (offset < end) {
    const h = readHeader(whole, offset);
    out.push(whole.subarray(offset, offset + h.headerLength + h.contentLength));
    offset += h.headerLength + h.contentLength;
  }
  return out;
}

function readHeader(data: Buffer, offset: number): { headerLength: number; contentLength: number } {
  if (offset + 2 > data.length) throw new Error('truncated DER element');
  const first = data[offset + 1]!;
  if (first < 0x80) return check(data, offset, 2, first);
  const count = first & 0x7f;
  if (count === 0 || count > 4 || offset + 2 + count > data.length) throw new Error('bad DER length');
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + data[offset + 2 + i]!;
  return check(data, offset, 2 + count, length);
}

function check(data: Buffer, offset: number, headerLength: number, contentLength: number) {
  if (offset + headerLength + contentLength > data.length) throw new Error('truncated DER element');
  return { headerLength, contentLength };
}
