// Splits the e2e files between the kernel-lab guests that `npm test` boots
// side by side (one per host core: TCG runs a guest on one core). Files are
// dealt out longest first to the guest with the least work so far, using the
// durations last measured in the lab (test/lab/e2e-durations.json); a file
// not listed yet counts as a minute.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const unknownFileSeconds = 60;

export function e2eFiles(root: string): string[] {
  return ['test/e2e', 'test/interop']
    .flatMap((dir) => readdirSafe(join(root, dir)).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}/${f}`))
    .sort();
}

export function loadDurations(root: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(join(root, 'test', 'lab', 'e2e-durations.json'), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export interface Shard {
  files: string[];
  estimatedSeconds: number;
}

export function splitIntoShards(files: string[], durations: Record<string, number>, count: number): Shard[] {
  const shards: Shard[] = Array.from({ length: count }, () => ({ files: [], estimatedSeconds: 0 }));
  const weight = (file: string) => durations[file] ?? unknownFileSeconds;
  for (const file of [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const lightest = shards.reduce((best, shard) => (shard.estimatedSeconds < best.estimatedSeconds ? shard : best));
    lightest.files.push(file);
    lightest.estimatedSeconds += weight(file);
  }
  return shards.filter((shard) => shard.files.length > 0);
}

/** Per-file durations from vitest's default reporter lines: " ✓ test/e2e/x.test.ts (5 tests) 12345ms". */
export function parseFileDurations(output: string): Record<string, number> {
  const found: Record<string, number> = {};
  const line = /^\s*[✓❯×✗]\s+(?:.*?\s)?(test\/\S+\.test\.ts)\s+\(\d+ tests?[^)]*\)\s+(\d+(?:\.\d+)?)\s*(ms|s)\b/gmu;
  for (const match of output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(line)) {
    const value = Number(match[2]);
    found[match[1]!] = Math.round(match[3] === 'ms' ? value / 1000 : value);
  }
  return found;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
