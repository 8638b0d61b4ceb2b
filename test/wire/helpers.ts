import { expect } from 'vitest';
import {
  decodePayloadChain,
  encodePayloadChain,
  type DecodeError,
  type DecodeResult,
  type Payload,
} from '../../src/wire/index.js';

export function ok<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

export function err<T>(r: DecodeResult<T>): DecodeError {
  if (r.ok) throw new Error('expected a decode error, got success');
  return r.error;
}

/** Decodes a one-payload chain, re-encodes it, and checks the bytes come back unchanged. */
export function roundTripOne(type: number, bytes: Buffer): Payload {
  const payloads = ok(decodePayloadChain(type, bytes));
  expect(payloads).toHaveLength(1);
  const again = encodePayloadChain(payloads);
  expect(again.firstType).toBe(type);
  expect(Buffer.from(again.bytes).toString('hex')).toBe(bytes.toString('hex'));
  return payloads[0]!;
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
