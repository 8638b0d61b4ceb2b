// `npm run fuzz -- [--iterations N] [--seed S] [--out DIR]`
// Mutation fuzzer over the wire decoder. Prints inputs/second, the decode
// error codes reached, the slowest input, and every finding (exception,
// INTERNAL_ERROR, round-trip mismatch) with its input saved to DIR.
// Exits 1 on any finding or an input slower than 10 ms.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adversarialInputs } from './adversarial.js';
import { retime, runFuzz } from './engine.js';
import { seedCorpus } from './seeds.js';

const SLOW_MS = 10;

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(Date.now() % 0x100000000) },
    out: { type: 'string', default: 'test/fuzz/findings' },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed) >>> 0;
if (!Number.isInteger(iterations) || iterations <= 0) {
  console.error(`--iterations must be a positive integer, got ${values.iterations}`);
  process.exit(2);
}

console.log(`fuzzing the wire decoder: ${iterations} inputs, seed ${seed}`);
const report = runFuzz({
  iterations,
  seed,
  seeds: seedCorpus(),
  slowMs: SLOW_MS,
  onProgress: (n) => process.stderr.write(`  ${n} inputs\n`),
});

const save = (name: string, bytes: Uint8Array): string => {
  mkdirSync(values.out!, { recursive: true });
  const file = join(values.out!, name);
  writeFileSync(file, bytes);
  return file;
};

console.log(`inputs/second:        ${Math.round(report.inputsPerSecond)} (${report.seconds.toFixed(1)} s)`);
console.log(`decoded OK:           ${report.decodedOk} (corpus grew to ${report.corpusSize})`);
console.log(`distinct error codes: ${report.errorCodes.size}, distinct code@path sites: ${report.distinctErrorSites}`);
for (const [code, n] of [...report.errorCodes].sort((a, b) => b[1] - a[1])) console.log(`  ${code.padEnd(30)} ${n}`);
console.log(`slowest input (wall): ${report.slowestMs.toFixed(3)} ms (${report.slowestInput.length} bytes; includes GC and scheduling)`);
console.log(`slowest input (CPU):  ${report.slowestCpuMs.toFixed(3)} ms (user+system, all threads incl. GC); inputs over ${SLOW_MS} ms CPU: ${report.overSlowCpu}`);
console.log(`inputs over ${SLOW_MS} ms wall: ${report.overSlowMs}`);
console.log(`slowest input re-timed in isolation (best of 5, over the 32 slowest and all over ${SLOW_MS} ms): ${report.slowestRetimedMs.toFixed(4)} ms (${report.slowestRetimedInput.length} bytes)`);
let failed = false;
if (report.slowestRetimedMs > SLOW_MS) {
  failed = true;
  console.log(`  SLOW (> ${SLOW_MS} ms), saved to ${save(`slow-seed${seed}.bin`, report.slowestRetimedInput)}`);
} else if (report.slowestMs > SLOW_MS) {
  console.log(`  (wall-time outlier ${report.slowestMs.toFixed(1)} ms decodes in ${retime(report.slowestInput).toFixed(4)} ms in isolation: GC/scheduling, saved to ${save(`wall-outlier-seed${seed}.bin`, report.slowestInput)})`);
}
console.log('maximum-size adversarial datagrams (best of 5, after a warm-up):');
for (const { name, bytes } of adversarialInputs()) {
  retime(bytes);
  const ms = retime(bytes);
  console.log(`  ${name.padEnd(48)} ${ms.toFixed(3)} ms`);
  if (ms > SLOW_MS) {
    failed = true;
    console.log(`  SLOW (> ${SLOW_MS} ms)`);
  }
}
console.log(`findings:             ${report.findings.length}`);
for (const f of report.findings) {
  failed = true;
  const file = save(`${f.kind}-seed${seed}-iter${f.iteration}.bin`, f.input);
  console.log(`  ${f.kind} in ${f.target} at iteration ${f.iteration}: ${f.detail.split('\n')[0]} -> ${file}`);
}
process.exit(failed ? 1 : 0);
