// Kernel backend throughput measurements, shared by bench/kernel.bench.ts
// (policies, on any Linux kernel) and the kernel lab (SA pairs, needs ESP).
// They change kernel state: call them only inside a private network
// namespace or the lab VM.
import { performance } from 'node:perf_hooks';
import type { KernelBackend, PolicySpec, SaSpec } from '../src/kernel/backend.js';

export interface Throughput {
  operations: number;
  seconds: number;
  perSecond: number;
  /**
   * CPU time (user + system) this process spent per operation, in µs. The
   * kernel handles netlink requests inside our send() calls, so this
   * includes the kernel's xfrm work; unlike wall time it does not grow when
   * other processes compete for the CPU.
   */
  cpuMicrosPerOp: number;
}

function timer(): (operations: number) => Throughput {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return (operations) => {
    const seconds = (performance.now() - wall) / 1000;
    const used = process.cpuUsage(cpu);
    return { operations, seconds, perSecond: operations / seconds, cpuMicrosPerOp: (used.user + used.system) / operations };
  };
}

/** Runs `count` jobs with at most `concurrency` in flight. */
async function pipelined(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Host-to-host selector number i (documentation prefixes, 65,536 distinct). */
export function benchSelector(i: number): PolicySpec['selector'] {
  return { src: `198.51.100.${(i >> 8) & 0xff}/32`, dst: `203.0.113.${i & 0xff}/32` };
}

function benchPolicy(i: number, reqid: number): PolicySpec {
  return {
    dir: (['out', 'in', 'fwd'] as const)[i % 3]!,
    selector: benchSelector(i),
    priority: 1000,
    templates: [{ proto: 'esp', mode: 'tunnel', reqid, src: '192.0.2.1', dst: '192.0.2.2' }],
  };
}

/**
 * Fills the SPD with `background` policies, then times `pairs` cycles of
 * add policy + delete it by index, `concurrency` cycles in flight.
 * The background policies are removed afterwards (not timed).
 */
export async function measurePolicyChurn(
  backend: KernelBackend,
  opts: { background: number; pairs: number; concurrency: number },
): Promise<Throughput & { backgroundFillPerSecond: number }> {
  const reqid = backend.reqidRange.base + 1;
  const handles = new Array<Awaited<ReturnType<KernelBackend['addPolicy']>>>(opts.background);
  const fillStart = performance.now();
  await pipelined(opts.background, opts.concurrency, async (i) => {
    handles[i] = await backend.addPolicy(benchPolicy(i, reqid));
  });
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const done = timer();
  await pipelined(opts.pairs, opts.concurrency, async (i) => {
    const h = await backend.addPolicy(benchPolicy(opts.background + (i % (60_000 - opts.background)), reqid));
    await backend.deletePolicy(h);
  });
  const result = done(opts.pairs);
  await pipelined(handles.length, opts.concurrency, (i) => backend.deletePolicy(handles[i]!));
  return { ...result, backgroundFillPerSecond: opts.background / fillSeconds };
}

/** Same cycle, one request at a time: the latency of one add+delete. */
export async function measurePolicyLatency(backend: KernelBackend, pairs: number): Promise<Throughput> {
  return measurePolicyChurn(backend, { background: 0, pairs, concurrency: 1 });
}

/**
 * Installs `pairs` SA pairs (inbound + outbound ESP, AES-GCM-16, tunnel
 * mode) with `concurrency` pairs in flight, timed; then deletes them
 * (timed separately). Needs a kernel with ESP (the lab).
 */
export async function measureSaPairs(
  backend: KernelBackend,
  opts: { pairs: number; concurrency: number },
): Promise<{ install: Throughput; remove: Throughput }> {
  const reqid = backend.reqidRange.base + 2;
  const key = new Uint8Array(20).fill(0x42);
  const sa = (spi: number, src: string, dst: string): SaSpec => ({
    src,
    dst,
    spi,
    proto: 'esp',
    mode: 'tunnel',
    reqid,
    replayWindow: 32,
    algorithms: { aead: { name: 'rfc4106(gcm(aes))', key, icvBits: 128 } },
  });
  const spiIn = (i: number): number => 0x10000000 + i;
  const spiOut = (i: number): number => 0x20000000 + i;
  let done = timer();
  await pipelined(opts.pairs, opts.concurrency, async (i) => {
    await Promise.all([backend.addSa(sa(spiIn(i), '192.0.2.2', '192.0.2.1')), backend.addSa(sa(spiOut(i), '192.0.2.1', '192.0.2.2'))]);
  });
  const install = done(opts.pairs);
  done = timer();
  await pipelined(opts.pairs, opts.concurrency, async (i) => {
    await Promise.all([
      backend.deleteSa({ dst: '192.0.2.1', spi: spiIn(i), proto: 'esp' }),
      backend.deleteSa({ dst: '192.0.2.2', spi: spiOut(i), proto: 'esp' }),
    ]);
  });
  return { install, remove: done(opts.pairs) };
}
