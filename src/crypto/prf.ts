// prf and prf+ (RFC 7296 §2.13). Every supported PRF is an HMAC, so prf is
// one node:crypto HMAC and prf+ is its iteration:
//   prf+ (K,S) = T1 | T2 | T3 | ...
//   T1 = prf (K, S | 0x01), Tn = prf (K, Tn-1 | S | n)
// The counter is one octet, so at most 255 blocks can be produced.

import { createHmac } from 'node:crypto';
import { fail, ok, type Result } from './errors.js';
import type { PrfAlgorithm } from './registry/index.js';

/** prf(key, data...) with the data pieces concatenated. */
export function prf(algorithm: PrfAlgorithm, key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const hmac = createHmac(algorithm.hash, key);
  for (const piece of data) hmac.update(piece);
  return hmac.digest();
}

const MAX_BLOCKS = 255;

/**
 * prf+(key, seed) truncated to `length` octets. Fails (no exception) when
 * more than 255 blocks would be needed, which no negotiated suite reaches.
 */
export function prfPlus(algorithm: PrfAlgorithm, key: Uint8Array, seed: Uint8Array, length: number): Result<Buffer> {
  const blocks = Math.ceil(length / algorithm.outputSize);
  if (blocks > MAX_BLOCKS)
    return fail('CRYPTO_PRF_PLUS_EXHAUSTED', `prf+ can produce at most ${MAX_BLOCKS * algorithm.outputSize} octets with ${algorithm.name}, ${length} requested`);
  // One exact-size buffer of its own (not a slice of Node's shared pool):
  // the keys live as long as their SA, and a long-lived slice would pin a
  // whole 8 KiB pool slab in memory (and keep key bytes in shared memory).
  // Every T(n) is itself output, so nothing intermediate needs zeroing
  // except the digests copied out of.
  const stream = Buffer.allocUnsafeSlow(length);
  const counter = Buffer.alloc(1);
  let previous: Buffer | undefined;
  for (let n = 1, at = 0; n <= blocks; n++) {
    counter[0] = n;
    const hmac = createHmac(algorithm.hash, key);
    if (previous) hmac.update(previous);
    hmac.update(seed);
    hmac.update(counter);
    const block = hmac.digest();
    at += block.copy(stream, at, 0, Math.min(block.length, length - at));
    previous?.fill(0);
    previous = block;
  }
  previous?.fill(0);
  return ok(stream);
}
