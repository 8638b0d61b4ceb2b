// Responder cost of one IKE handshake, in process, without sockets:
// CPU microseconds per IKE_SA_INIT + IKE_AUTH (PSK, X25519, AES-GCM-16,
// one tunnel-mode CHILD SA installed in the in-memory kernel) and heap
// bytes per established IKE SA with its CHILD SA.
//
//   node --expose-gc --import tsx bench/handshake-cpu.ts [--count N] [--batch B] [--json] [--profile FILE] [--snapshot FILE]
//
// An initiator IkeEngine and the responder IkeEngine (SystemClock, a
// logger at the default level writing to nowhere, MemoryBackend) exchange
// datagrams through a queue, in phases of B handshakes: the initiator
// builds B IKE_SA_INIT requests; the responder handles all of them (timed);
// the initiator handles the answers and builds B IKE_AUTH requests; the
// responder handles them (timed); the initiator completes. Only the
// responder phases are timed, so the initiator's work is not counted and
// the figure is what one core spends per handshake as a responder.
//
// Memory: heapUsed + external (ArrayBuffers included) after a forced GC,
// before the first handshake and after N, with the initiator engine and its
// kernel dropped first, divided by N. The responder's MemoryBackend (the
// kernel twin holding 2 SAs and 3 policies per tunnel) is part of the
// figure; `kernelBytesPerSa` is its share (what it gives back when flushed).
//
// --profile FILE writes the top self-time functions of the responder phases
// only (V8 sampling profiler, 50 µs) to FILE (docs/performance.md).

import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { loadConfig, loadSecrets } from '../src/config/load.js';
import type { ConfigModel } from '../src/config/model.js';
import type { SecretsModel } from '../src/config/secrets.js';
import { IkeEngine } from '../src/ike/engine.js';
import { MemoryBackend } from '../src/kernel/memory/backend.js';
import { Logger } from '../src/log/logger.js';
import type { Datagram, DatagramHandler, DatagramTransport, Endpoint, TransportCounters } from '../src/net/transport.js';

const PSK = 'handshake-benchmark-psk-not-a-real-secret';
const IKE = 'aes256gcm16-prfsha256-curve25519!';
const ESP = 'aes256gcm16!';
const RESPONDER = '192.0.2.2';
const INITIATOR = '192.0.2.1';

/** A transport whose sent datagrams wait in `outbox` until the bench hands them over. */
class QueueTransport implements DatagramTransport {
  handler?: DatagramHandler;
  outbox: Datagram[] = [];
  constructor(private readonly address: string) {}
  async start(): Promise<void> {}
  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }
  async send(d: Datagram): Promise<void> {
    this.outbox.push(d);
  }
  listening(): Endpoint[] {
    return [{ address: this.address, port: 500 }, { address: this.address, port: 4500 }];
  }
  counters(): TransportCounters {
    return { received: 0, sent: 0, keepalives: 0, drops: {} };
  }
  async close(): Promise<void> {}
  /** Hand everything `from` sent to this transport's receiver. */
  takeFrom(from: QueueTransport): number {
    const batch = from.outbox;
    from.outbox = [];
    for (const d of batch) this.handler!({ local: d.remote, remote: d.local, bytes: d.bytes });
    return batch.length;
  }
}

function config(text: string): ConfigModel {
  const r = loadConfig('/bench/ipsec.conf', { text });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !r.model) throw new Error(`bench config: ${JSON.stringify(errors)}`);
  return r.model;
}

function secrets(): SecretsModel {
  const r = loadSecrets('/bench/ipsec.secrets', { text: `: PSK "${PSK}"\n` });
  if (!r.model) throw new Error('bench secrets do not load');
  return r.model;
}

function responderConfig(): ConfigModel {
  return config(
    [
      'conn rw',
      `  left=${RESPONDER}`,
      '  leftid=@responder.example',
      '  leftsubnet=198.51.100.0/24',
      '  right=%any',
      '  rightid=%any',
      '  rightsubnet=100.64.0.0/10',
      '  authby=secret',
      `  ike=${IKE}`,
      `  esp=${ESP}`,
      '  auto=add',
      '',
    ].join('\n'),
  );
}

/** Conns c0..c(n-1), each its own ID and /32 inside 100.64.0.0/10. */
function initiatorConfig(first: number, n: number): ConfigModel {
  const lines = [
    'conn %default',
    `  left=${INITIATOR}`,
    `  right=${RESPONDER}`,
    '  rightid=@responder.example',
    '  rightsubnet=198.51.100.0/24',
    '  authby=secret',
    `  ike=${IKE}`,
    `  esp=${ESP}`,
    '  keyingtries=1',
    '  auto=add',
  ];
  for (let i = first; i < first + n; i++) {
    lines.push(`conn c${i}`, `  leftid=@c${i}.example`, `  leftsubnet=100.64.${(i >> 8) & 255}.${i & 255}/32`);
  }
  return config(lines.join('\n') + '\n');
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) return;
  for (let i = 0; i < 4; i++) g();
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Everything queued on microtasks (the memory kernel answers on them) has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Figures {
  handshakes: number;
  batch: number;
  responderInitUs: number;
  responderAuthUs: number;
  responderUs: number;
  responderCpuUs: number;
  handshakesPerSecond: number;
  bytesPerSa?: number;
  kernelBytesPerSa?: number;
  rssBytesPerSa?: number;
}

interface Timed {
  wallUs: number;
  cpuUs: number;
}

/**
 * --profile: one V8 sampling profile over the whole run; only samples that
 * fall inside the timed (responder) windows are counted.
 */
let profiler: { session: Session; windows: [number, number][] } | undefined;

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function timed(fn: () => Promise<void>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const m0 = monotonicUs();
  await fn();
  profiler?.windows.push([m0, monotonicUs()]);
  const wallUs = (performance.now() - t0) * 1000;
  const c = process.cpuUsage(c0);
  return { wallUs, cpuUs: c.user + c.system };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function startProfiler(): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  profiler = { session, windows: [] };
}

/** Self time per function inside the windows. */
async function stopProfiler(): Promise<{ self: Map<string, number>; total: number }> {
  const profile = (await profiler!.session.post('Profiler.stop')).profile as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  let w = 0;
  const windows = profiler!.windows;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    while (w < windows.length && windows[w]![1] < at) w++;
    if (w >= windows.length || at < windows[w]![0]) return;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? `${frame.url.replace(/^.*\/(src|node_modules|bench)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  return { self, total };
}

function profileReport({ self, total }: { self: Map<string, number>; total: number }, count: number, top = 40): string {
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`self time over the responder phases: ${Math.round(total / count)} µs per handshake`];
  for (const [name, us] of rows) lines.push(`${(us / count).toFixed(1).padStart(8)} µs ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
  return lines.join('\n');
}

export async function benchHandshakes(count: number, batch: number): Promise<Figures> {
  const responderNet = new QueueTransport(RESPONDER);
  const responderKernel = new MemoryBackend();
  // Log lines are formatted as in the daemon; only the last few are kept (shown on failure).
  const recent: string[] = [];
  const logger = new Logger({ sink: { write: (line) => void (recent.push(line) > 20 && recent.shift()) } });
  const responder = new IkeEngine({ transport: responderNet, kernel: responderKernel, logger, cookieThreshold: Number.MAX_SAFE_INTEGER });
  await responder.load(responderConfig(), secrets());
  const psk = secrets();

  gc();
  const heapBefore = heapBytes();
  const rssBefore = process.memoryUsage().rss;
  let init: Timed = { wallUs: 0, cpuUs: 0 };
  let auth: Timed = { wallUs: 0, cpuUs: 0 };
  let done = 0;
  for (let first = 0; first < count; first += batch) {
    const n = Math.min(batch, count - first);
    const initiatorNet = new QueueTransport(INITIATOR);
    const initiator = new IkeEngine({ transport: initiatorNet, kernel: new MemoryBackend(), logger });
    await initiator.load(initiatorConfig(first, n), psk);
    const ups: Promise<{ ok: boolean; error?: string }>[] = [];
    for (let i = first; i < first + n; i++) ups.push(initiator.up(`c${i}`));
    await turn();
    const add = (a: Timed, b: Timed): Timed => ({ wallUs: a.wallUs + b.wallUs, cpuUs: a.cpuUs + b.cpuUs });
    init = add(init, await timed(async () => {
      responderNet.takeFrom(initiatorNet);
      await turn();
    }));
    initiatorNet.takeFrom(responderNet);
    await turn();
    auth = add(auth, await timed(async () => {
      responderNet.takeFrom(initiatorNet);
      await turn();
    }));
    initiatorNet.takeFrom(responderNet);
    const results = await Promise.all(ups);
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`${failed.length} handshakes failed, first: ${failed[0]!.error}\n${recent.join('\n')}`);
    done += n;
    // The initiator's SAs are forgotten without a word (not measured, not kept).
    await Promise.all(initiator.sas().map((sa) => sa.abandon('bench')));
  }
  const established = responder.status().ikeSas.length;
  if (established !== done) throw new Error(`responder holds ${established} IKE SAs, expected ${done}`);

  gc();
  const bytesPerSa = (heapBytes() - heapBefore) / count;
  if (snapshotFile) writeHeapSnapshot(snapshotFile);
  const rssBytesPerSa = (process.memoryUsage().rss - rssBefore) / count;
  const kernelBytesPerSa = await kernelShare(responderKernel, count);
  const responderUs = (init.wallUs + auth.wallUs) / count;
  return {
    handshakes: count,
    batch,
    responderInitUs: round(init.wallUs / count),
    responderAuthUs: round(auth.wallUs / count),
    responderUs: round(responderUs),
    responderCpuUs: round((init.cpuUs + auth.cpuUs) / count),
    handshakesPerSecond: Math.round(1e6 / responderUs),
    bytesPerSa: Math.round(bytesPerSa),
    kernelBytesPerSa,
    rssBytesPerSa: Math.round(rssBytesPerSa),
  };
}

/** What the kernel twin holds for the tunnels: the heap it gives back when flushed. */
async function kernelShare(kernel: MemoryBackend, count: number): Promise<number> {
  gc();
  const before = heapBytes();
  await kernel.flush();
  gc();
  return Math.round((before - heapBytes()) / count);
}

/** --snapshot FILE: a V8 heap snapshot with the N SAs established (to see what each one holds). */
let snapshotFile: string | undefined;

const round = (x: number) => Math.round(x * 10) / 10;

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  const value = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new Error(`${name} takes 1..100000`);
  return value;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench.mjs")) {
  const argv = process.argv.slice(2);
  const count = option(argv, '--count', 2000);
  const batch = option(argv, '--batch', 500);
  if (!(globalThis as { gc?: unknown }).gc) console.error('(run with node --expose-gc for the memory figures)');
  // Warm-up: JIT and allocator, not counted.
  await benchHandshakes(Math.min(500, count), batch);
  gc();
  const snapshotAt = argv.indexOf('--snapshot');
  if (snapshotAt >= 0) snapshotFile = argv[snapshotAt + 1];
  const profileAt = argv.indexOf('--profile');
  if (profileAt >= 0) await startProfiler();
  const figures = await benchHandshakes(count, batch);
  if (profileAt >= 0) writeFileSync(argv[profileAt + 1]!, profileReport(await stopProfiler(), count) + '\n');
  if (argv.includes('--json')) console.log(JSON.stringify(figures));
  else {
    console.log(`responder, ${figures.handshakes} handshakes (PSK, X25519, AES-GCM-16, 1 CHILD SA each), batches of ${figures.batch}`);
    console.log(`  IKE_SA_INIT      ${figures.responderInitUs} µs`);
    console.log(`  IKE_AUTH         ${figures.responderAuthUs} µs`);
    console.log(`  per handshake    ${figures.responderUs} µs wall, ${figures.responderCpuUs} µs CPU (process, all threads)`);
    console.log(`  one core         ${figures.handshakesPerSecond} handshakes/s`);
    console.log(`  memory per SA    ${figures.bytesPerSa} B heap+external (kernel twin's share ~${figures.kernelBytesPerSa} B), RSS growth ${figures.rssBytesPerSa} B`);
  }
}
