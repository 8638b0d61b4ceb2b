import { describe, expect, it } from 'vitest';
import { parseFileDurations, splitIntoShards } from './e2e-shards.js';

describe('splitting e2e files between lab guests', () => {
  it('deals the longest files first to the guest with the least work', () => {
    const shards = splitIntoShards(['a', 'b', 'c', 'd'], { a: 100, b: 60, c: 50, d: 10 }, 2);
    expect(shards.map((s) => s.files)).toEqual([['a', 'd'], ['b', 'c']]);
    expect(shards.map((s) => s.estimatedSeconds)).toEqual([110, 110]);
  });

  it('counts a file with no recorded duration as a minute and drops empty guests', () => {
    expect(splitIntoShards(['new'], {}, 2)).toEqual([{ files: ['new'], estimatedSeconds: 60 }]);
  });
});

describe('reading per-file durations from the vitest report', () => {
  it('takes the file lines of passed and failed files, in seconds', () => {
    const report = [
      ' \u001b[32m✓\u001b[39m \u001b[30m\u001b[45m e2e \u001b[49m\u001b[39m test/e2e/daemon-pair.test.ts \u001b[2m(\u001b[22m9 tests) 61234ms',
      ' \u001b[31m❯\u001b[39m test/e2e/lifecycle-nat.test.ts (5 tests | 1 failed) 120.5s',
      '   ✓ a test inside 300ms',
    ].join('\n');
    expect(parseFileDurations(report)).toEqual({
      'test/e2e/daemon-pair.test.ts': 61,
      'test/e2e/lifecycle-nat.test.ts': 121,
    });
  });
});
