// A short deterministic fuzz pass in the unit suite; `npm run fuzz` runs
// the long one.

import { describe, expect, it } from 'vitest';
import { runFuzz } from './engine.js';
import { seedCorpus } from './seeds.js';

describe('wire decoder fuzz (short pass)', () => {
  it('20,000 mutated inputs: no exception, no INTERNAL_ERROR, every decoded input re-encodes exactly', () => {
    const report = runFuzz({ iterations: 20_000, seed: 0x1ce5, seeds: seedCorpus() });
    expect(report.findings.map((f) => `${f.kind} ${f.target} #${f.iteration}: ${f.detail}`)).toEqual([]);
    // The mutator must actually reach the decoders, not only the header checks.
    expect(report.decodedOk).toBeGreaterThan(1000);
    for (const code of ['TRUNCATED', 'INVALID_LENGTH', 'TRAILING_DATA', 'COUNT_MISMATCH', 'INVALID_VALUE', 'UNSUPPORTED_CRITICAL_PAYLOAD', 'INVALID_MAJOR_VERSION']) {
      expect(report.errorCodes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });
});
