// Regression: maximum-size datagrams that maximise decoder work per byte
// decode completely (a flood of empty payloads used to be quadratic, see
// test/fuzz/adversarial.ts). Their cost is reported by `npm run fuzz` and
// the codec benchmark, not asserted here.

import { describe, expect, it } from 'vitest';
import { DecodeErrorCode, decodeMessage, encodeMessage, findPayload, PayloadType } from '../../src/wire/index.js';
import { adversarialInputs, emptyPayloadFlood, proposalFlood } from '../fuzz/adversarial.js';
import { err, ok } from './helpers.js';

describe('maximum-size adversarial datagrams', () => {
  for (const { name, bytes } of adversarialInputs()) {
    it(`${name}: decodes and re-encodes exactly`, () => {
      expect(bytes.length).toBeGreaterThan(60_000);
      expect(encodeMessage(ok(decodeMessage(bytes))).equals(bytes)).toBe(true);
    });
  }

  it('the empty-payload flood names the last payload by its number when it is broken', () => {
    const b = emptyPayloadFlood();
    b.writeUInt16BE(8, b.length - 2);
    expect(err(decodeMessage(b))).toMatchObject({ code: DecodeErrorCode.TRUNCATED, path: 'V[16376]', offset: b.length - 4 });
  });

  it('the proposal flood keeps every proposal', () => {
    expect(findPayload(ok(decodeMessage(proposalFlood())).payloads, PayloadType.SA)?.proposals).toHaveLength(8187);
  });
});
