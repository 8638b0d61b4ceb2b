// Structure-aware mutations of IKE messages. Byte-level operators (bit
// flips, byte sets, truncation, splicing) find bounds bugs; the
// structure-aware ones (length fields, next-payload types, payload
// duplication, header length fix-up) push inputs past the first length
// check so every payload decoder sees hostile bytes.

import type { Prng } from './prng.js';

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x7f, 0x80, 0xff];
const INTERESTING_16 = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 0x7fff, 0x8000, 0xfffe, 0xffff];
/** Payload types worth steering a next-payload field to: every known one, plus unknown and "none". */
const PAYLOAD_TYPES = [0, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 53, 1, 32, 49, 60, 127, 255];

/** Offsets of the generic payload headers in a message, walking the chain as far as it is sane. */
export function payloadOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  if (b.length < 28) return out;
  let next = b[16]!;
  let pos = 28;
  while (next !== 0 && pos + 4 <= b.length && out.length < 64) {
    out.push(pos);
    const len = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (next === 46 || next === 53 || len < 4) break;
    next = b[pos]!;
    pos += len;
  }
  return out;
}

function setLength(b: Uint8Array): void {
  if (b.length < 28) return;
  const n = b.length;
  b[24] = n >>> 24;
  b[25] = (n >>> 16) & 0xff;
  b[26] = (n >>> 8) & 0xff;
  b[27] = n & 0xff;
}

type Mutation = (rng: Prng, input: Uint8Array, corpus: readonly Uint8Array[]) => Uint8Array;

const bitFlip: Mutation = (rng, b) => {
  if (b.length === 0) return b;
  const c = Uint8Array.from(b);
  const i = rng.below(c.length);
  c[i] = c[i]! ^ (1 << rng.below(8));
  return c;
};

const byteSet: Mutation = (rng, b) => {
  if (b.length === 0) return b;
  const c = Uint8Array.from(b);
  c[rng.below(c.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_8) : rng.below(256);
  return c;
};

/** Rewrites a 16-bit length at a payload or substructure header (offset +2) or anywhere. */
const lengthField: Mutation = (rng, b) => {
  if (b.length < 4) return b;
  const c = Uint8Array.from(b);
  const offsets = payloadOffsets(c);
  const at = offsets.length > 0 && rng.chance(0.6) ? rng.pick(offsets) + 2 : rng.below(c.length - 1);
  const old = (c[at]! << 8) | c[at + 1]!;
  const v = rng.chance(0.5) ? rng.pick(INTERESTING_16) : (old + rng.below(17) - 8) & 0xffff;
  c[at] = v >>> 8;
  c[at + 1] = v & 0xff;
  return c;
};

/** Points a next-payload field (header or payload) at another type. */
const nextPayloadType: Mutation = (rng, b) => {
  if (b.length < 28) return b;
  const c = Uint8Array.from(b);
  const offsets = payloadOffsets(c);
  const at = offsets.length > 0 && rng.chance(0.7) ? rng.pick(offsets) : 16;
  c[at] = rng.pick(PAYLOAD_TYPES);
  if (rng.chance(0.2) && at !== 16) c[at + 1] = c[at + 1]! ^ 0x80; // critical bit
  return c;
};

const truncate: Mutation = (rng, b) => b.subarray(0, rng.below(b.length + 1));

const splice: Mutation = (rng, b, corpus) => {
  const other = rng.pick(corpus);
  const cut = rng.below(b.length + 1);
  const from = rng.below(other.length + 1);
  const out = new Uint8Array(cut + other.length - from);
  out.set(b.subarray(0, cut), 0);
  out.set(other.subarray(from), cut);
  return out;
};

/** Duplicates one payload in place (it then points at its own type), then fixes the header length. */
const duplicatePayload: Mutation = (rng, b) => {
  const offsets = payloadOffsets(b);
  if (offsets.length === 0) return b;
  const i = rng.below(offsets.length);
  const start = offsets[i]!;
  const len = (b[start + 2]! << 8) | b[start + 3]!;
  if (len < 4 || start + len > b.length) return b;
  const type = i === 0 ? b[16]! : b[offsets[i - 1]!]!;
  const out = new Uint8Array(b.length + len);
  out.set(b.subarray(0, start + len), 0);
  out.set(b.subarray(start, start + len), start + len);
  out.set(b.subarray(start + len), start + 2 * len);
  out[start] = type;
  setLength(out);
  return out;
};

/** Inserts or removes a few bytes in the middle (shifts every later field). */
const insertDelete: Mutation = (rng, b) => {
  const at = rng.below(b.length + 1);
  const del = Math.min(1 + rng.below(8), b.length - at);
  if (rng.chance(0.5) && del > 0) {
    const out = new Uint8Array(b.length - del);
    out.set(b.subarray(0, at), 0);
    out.set(b.subarray(at + del), at);
    return out;
  }
  const n = 1 + rng.below(8);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, at), 0);
  for (let k = 0; k < n; k++) out[at + k] = rng.pick(INTERESTING_8);
  out.set(b.subarray(at), at + n);
  return out;
};

const MUTATIONS: readonly [string, Mutation][] = [
  ['bitFlip', bitFlip],
  ['byteSet', byteSet],
  ['lengthField', lengthField],
  ['nextPayloadType', nextPayloadType],
  ['truncate', truncate],
  ['splice', splice],
  ['duplicatePayload', duplicatePayload],
  ['insertDelete', insertDelete],
];

/**
 * One fuzz input: 1-4 stacked mutations of a corpus entry; most of the time
 * the header Length is then set to the real length so the input gets past
 * the datagram length check.
 */
export function mutate(rng: Prng, corpus: readonly Uint8Array[]): Uint8Array {
  let b = rng.pick(corpus);
  const rounds = 1 + rng.below(4);
  for (let i = 0; i < rounds; i++) b = rng.pick(MUTATIONS)[1](rng, b, corpus);
  if (rng.chance(0.85)) {
    b = Uint8Array.from(b);
    setLength(b);
  }
  return b;
}
