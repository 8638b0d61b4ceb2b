// The few DER shapes RFC 7427 AlgorithmIdentifiers need (X.690): SEQUENCE,
// OBJECT IDENTIFIER (kept as its content octets in hex), NULL, INTEGER and
// context-specific [n] wrappers. Reading never throws: a malformed input
// yields undefined.

export interface DerNode {
  readonly tag: number;
  readonly content: Buffer;
  /** Total encoded length (tag + length + content). */
  readonly size: number;
}

export const TAG = { INTEGER: 0x02, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30 } as const;
export const contextTag = (n: number) => 0xa0 | n;

export function derEncode(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else header = [tag, 0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(header), content]);
}

export const derSequence = (...items: Uint8Array[]) => derEncode(TAG.SEQUENCE, Buffer.concat(items));
export const derOid = (contentHex: string) => derEncode(TAG.OID, Buffer.from(contentHex, 'hex'));
export const derNull = () => derEncode(TAG.NULL, Buffer.alloc(0));
export const derContext = (n: number, item: Uint8Array) => derEncode(contextTag(n), item);
export const derSmallInteger = (value: number) => {
  // Non-negative values below 2^15 are all salt lengths need.
  const bytes = value < 0x80 ? [value] : value < 0x8000 ? [value >> 8, value & 0xff] : [];
  return derEncode(TAG.INTEGER, Buffer.from(bytes));
};

/** Reads one TLV at `offset`; undefined when it does not fit or uses forms DER forbids here. */
export function derRead(input: Uint8Array, offset = 0): DerNode | undefined {
  if (offset + 2 > input.length) return undefined;
  const tag = input[offset]!;
  let length = input[offset + 1]!;
  let headerSize = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 2 || offset + 2 + count > input.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | input[offset + 2 + i]!;
    headerSize += count;
  }
  const end = offset + headerSize + length;
  if (end > input.length) return undefined;
  const content = Buffer.from(input.buffer, input.byteOffset + offset + headerSize, length);
  return { tag, content, size: headerSize + length };
}

/** The children of a constructed node, or undefined if they do not tile its content exactly. */
export function derChildren(node: DerNode): DerNode[] | undefined {
  const children: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const child = derRead(node.content, offset);
    if (!child) return undefined;
    children.push(child);
    offset += child.size;
  }
  return children;
}

export function derInteger(node: DerNode): number | undefined {
  if (node.tag !== TAG.INTEGER || node.content.length === 0 || node.content.length > 4) return undefined;
  if (node.content[0]! & 0x80) return undefined; // negative
  return node.content.readUIntBE(0, node.content.length);
}
