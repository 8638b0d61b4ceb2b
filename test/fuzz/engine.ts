// The fuzz loop: feeds mutated messages to decodeMessage and, for inputs
// with a header, the bare chain after it to decodePayloadChain. Findings:
//  - an exception escaping a decoder (the contract says never),
//  - an INTERNAL_ERROR result (a codec bug caught at the boundary),
//  - a decoded input that does not re-encode to the same bytes,
//  - the slowest input (the issue bounds it at 10 ms).
// Inputs that decode are added to the corpus (bounded), so later rounds
// mutate messages that already got past some checks.

import {
  DecodeErrorCode,
  decodeMessage,
  decodePayloadChain,
  encodeMessage,
  encodePayloadChain,
} from '../../src/wire/index.js';
import { mutate } from './mutator.js';
import { Prng } from './prng.js';

export interface Finding {
  kind: 'exception' | 'internal-error' | 'round-trip-mismatch';
  target: 'decodeMessage' | 'decodePayloadChain';
  detail: string;
  iteration: number;
  input: Uint8Array;
}

export interface FuzzReport {
  iterations: number;
  seed: number;
  seconds: number;
  inputsPerSecond: number;
  decodedOk: number;
  /** Decode error code -> count, over both targets. */
  errorCodes: Map<string, number>;
  /** Distinct "code @ path" (indices dropped), a rough measure of reached code. */
  distinctErrorSites: number;
  findings: Finding[];
  /** Largest wall time of one input during the run (includes GC pauses and scheduling on a loaded host). */
  slowestMs: number;
  slowestInput: Uint8Array;
  /**
   * Largest CPU time (user + system, all threads) of one input: unlike wall
   * time it does not grow when the host preempts us, but includes GC work.
   */
  slowestCpuMs: number;
  /** Inputs whose CPU time exceeded `slowMs`. */
  overSlowCpu: number;
  /** Inputs whose wall time exceeded `slowMs` during the run. */
  overSlowMs: number;
  /**
   * The 32 slowest inputs and every input over `slowMs` (up to 1000), decoded
   * again in isolation, best of 5: the decoder's own cost for the worst inputs.
   */
  slowestRetimedMs: number;
  slowestRetimedInput: Uint8Array;
  corpusSize: number;
}

export interface FuzzOptions {
  iterations: number;
  seed: number;
  seeds: Uint8Array[];
  maxCorpus?: number;
  /** Stop collecting after this many findings (each is saved by the caller). */
  maxFindings?: number;
  /** Wall-time bound per input (issue 3: 10 ms). */
  slowMs?: number;
  onProgress?: (done: number) => void;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

export function runFuzz(opts: FuzzOptions): FuzzReport {
  const rng = new Prng(opts.seed);
  const corpus = opts.seeds.slice();
  const maxCorpus = opts.maxCorpus ?? 4096;
  const maxFindings = opts.maxFindings ?? 20;
  const errorCodes = new Map<string, number>();
  const sites = new Set<string>();
  const findings: Finding[] = [];
  let decodedOk = 0;
  let slowestMs = 0;
  let slowestInput: Uint8Array = new Uint8Array(0);
  // The N slowest inputs, re-timed at the end to separate decoder cost from noise.
  const slow: { ms: number; input: Uint8Array }[] = [];
  const SLOW_KEEP = 32;
  const slowMs = opts.slowMs ?? 10;
  const overSlow: Uint8Array[] = [];
  let overSlowMs = 0;
  let slowestCpuMs = 0;
  let overSlowCpu = 0;

  const countError = (code: string, path: string): void => {
    errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    sites.add(`${code}@${path.replace(/\[\d+\]/g, '')}`);
  };
  const find = (f: Finding): void => {
    if (findings.length < maxFindings) findings.push({ ...f, input: Uint8Array.from(f.input) });
  };

  const started = performance.now();
  for (let i = 0; i < opts.iterations; i++) {
    const input = mutate(rng, corpus);
    const c0 = process.cpuUsage();
    const t0 = performance.now();

    try {
      const r = decodeMessage(input);
      if (r.ok) {
        decodedOk++;
        const again = encodeMessage(r.value);
        if (!sameBytes(again, input)) find({ kind: 'round-trip-mismatch', target: 'decodeMessage', detail: 'encode(decode(x)) != x', iteration: i, input });
        if (corpus.length < maxCorpus) corpus.push(Uint8Array.from(input));
        else if (rng.chance(0.01)) corpus[opts.seeds.length + rng.below(maxCorpus - opts.seeds.length)] = Uint8Array.from(input);
      } else {
        countError(r.error.code, r.error.path);
        if (r.error.code === DecodeErrorCode.INTERNAL_ERROR) find({ kind: 'internal-error', target: 'decodeMessage', detail: r.error.message, iteration: i, input });
      }
    } catch (e) {
      find({ kind: 'exception', target: 'decodeMessage', detail: String(e instanceof Error ? e.stack : e), iteration: i, input });
    }

    if (input.length >= 28) {
      try {
        const r = decodePayloadChain(input[16]!, input.subarray(28));
        if (r.ok) {
          const again = encodePayloadChain(r.value);
          if (!sameBytes(again.bytes, input.subarray(28))) find({ kind: 'round-trip-mismatch', target: 'decodePayloadChain', detail: 'chain re-encode differs', iteration: i, input });
        } else {
          countError(r.error.code, r.error.path);
          if (r.error.code === DecodeErrorCode.INTERNAL_ERROR) find({ kind: 'internal-error', target: 'decodePayloadChain', detail: r.error.message, iteration: i, input });
        }
      } catch (e) {
        find({ kind: 'exception', target: 'decodePayloadChain', detail: String(e instanceof Error ? e.stack : e), iteration: i, input });
      }
    }

    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (cpuMs > slowestCpuMs) slowestCpuMs = cpuMs;
    if (cpuMs > slowMs) overSlowCpu++;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowestInput = Uint8Array.from(input);
    }
    if (ms > slowMs) {
      overSlowMs++;
      if (overSlow.length < 1000) overSlow.push(Uint8Array.from(input));
    }
    if (slow.length < SLOW_KEEP || ms > slow[slow.length - 1]!.ms) {
      slow.push({ ms, input: Uint8Array.from(input) });
      slow.sort((a, b) => b.ms - a.ms);
      if (slow.length > SLOW_KEEP) slow.pop();
    }
    if (opts.onProgress && (i + 1) % 100_000 === 0) opts.onProgress(i + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  let slowestRetimedMs = 0;
  let slowestRetimedInput: Uint8Array = new Uint8Array(0);
  for (const input of [...slow.map((x) => x.input), ...overSlow]) {
    const ms = retime(input);
    if (ms > slowestRetimedMs) [slowestRetimedMs, slowestRetimedInput] = [ms, input];
  }
  return {
    iterations: opts.iterations,
    seed: opts.seed,
    seconds,
    inputsPerSecond: opts.iterations / seconds,
    decodedOk,
    errorCodes,
    distinctErrorSites: sites.size,
    findings,
    slowestMs,
    slowestInput,
    overSlowMs,
    slowestCpuMs,
    overSlowCpu,
    slowestRetimedMs,
    slowestRetimedInput,
    corpusSize: corpus.length,
  };
}

/** Best of 5 wall times of decoding one input through both targets. */
export function retime(input: Uint8Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    decodeMessage(input);
    if (input.length >= 28) decodePayloadChain(input[16]!, input.subarray(28));
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
