// Side-by-side handshake benchmark: nodeswan and strongSwan's charon as IKEv2
// responders, same load, same run (docs/performance.md).
//
//   npm run bench:handshakes -- [--counts 1000,10000] [--window 256]
//                               [--daemons nodeswan,charon] [--quick]
//                               [--profile [--profile-count 2000]] [--ms-per-sa 20]
//
// For each N and each daemon: a fresh responder in a private network
// namespace; the load generator (nodeswan's initiator, one process, see
// generator.ts) opens N IKE SAs with one CHILD SA each, at most --window in
// flight. Measured: handshakes per second (N / time from the first
// IKE_SA_INIT to the last CHILD SA up), setup latency p50/p99 (per SA,
// first request to CHILD SA up), the responder's CPU seconds (utime+stime,
// all threads) and resident memory growth (VmRSS) over the load, per SA.
// --profile adds one nodeswan run under `node --cpu-prof` (not in the
// table: the profiler slows it down) and prints its top functions by self
// time. --quick: N = 100, window 32. Each run stops after 30 s plus
// --ms-per-sa (default 20) per SA, finished or not.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './generator.js';
import { createBenchNamespace, GENERATOR_ADDRESS, RESPONDER_ADDRESS, type BenchNamespace } from './namespace.js';
import { formatAreas, formatSelfTimes, selfTimes } from './profile-summary.js';
import { startCharon, startNodeswan, type Proposals, type Responder, type ResponderSetup } from './responders.js';
import { sampleProcess } from './stats.js';
import { formatComparison, handshakesPerSecond, type RunFigures } from './report.js';

export const PROPOSALS: Proposals = { ike: 'aes128gcm16-prfsha256-x25519', esp: 'aes128gcm16' };
const PSK = 'handshake-benchmark-psk-not-a-real-secret';
const DAEMONS = { nodeswan: startNodeswan, charon: startCharon } as const;
type DaemonName = keyof typeof DAEMONS;

export interface BenchOptions {
  counts: number[];
  window: number;
  daemons: DaemonName[];
  profile: boolean;
  profileCount: number;
  msPerSa: number;
}

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = { counts: [1000, 10000], window: 256, daemons: ['nodeswan', 'charon'], profile: false, profileCount: 2000, msPerSa: 20 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--counts') options.counts = value().split(',').map(Number);
    else if (arg === '--window') options.window = Number(value());
    else if (arg === '--daemons') options.daemons = value().split(',') as DaemonName[];
    else if (arg === '--quick') Object.assign(options, { counts: [100], window: 32 });
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--profile-count') options.profileCount = Number(value());
    else if (arg === '--ms-per-sa') options.msPerSa = Number(value());
    else throw new Error(`unknown option ${arg}`);
  }
  for (const n of [...options.counts, options.window, options.profileCount]) {
    if (!Number.isInteger(n) || n < 1 || n > 60000) throw new Error(`counts and window take 1..60000 (one inner /128 per SA under 2001:db8:1::/112)`);
  }
  for (const d of options.daemons) if (!(d in DAEMONS)) throw new Error(`--daemons: unknown daemon ${d} (nodeswan, charon)`);
  return options;
}

/** Bounded total time per run: 30 s plus msPerSa per SA. */
function timeoutFor(count: number, msPerSa: number): number {
  return 30_000 + count * msPerSa;
}

const generatorMain = fileURLToPath(new URL('./generator-main.ts', import.meta.url));

/** Runs the generator in the namespace as its own process; resolves with its result line. */
async function runGenerator(ns: BenchNamespace, options: LoadOptions): Promise<Omit<LoadResult, 'latenciesMs'> & { p50Ms: number; p99Ms: number }> {
  const child = ns.spawn([process.execPath, '--import', 'tsx', generatorMain, JSON.stringify(options)]);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(killer);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`load generator failed (exit ${code}):\n${stdout}${stderr}`);
  return JSON.parse(line) as Awaited<ReturnType<typeof runGenerator>>;
}

async function measure(ns: BenchNamespace, daemon: DaemonName, count: number, window: number, msPerSa: number, cpuProfileDir?: string): Promise<RunFigures> {
  const setup: ResponderSetup = { ns: ns.name, address: RESPONDER_ADDRESS, psk: PSK, proposals: PROPOSALS, ...(cpuProfileDir ? { cpuProfileDir } : {}) };
  const responder: Responder = await DAEMONS[daemon](setup);
  try {
    const before = sampleProcess(responder.pid);
    const load = await runGenerator(ns, {
      local: GENERATOR_ADDRESS,
      remote: RESPONDER_ADDRESS,
      count,
      window,
      psk: PSK,
      ike: PROPOSALS.ike,
      esp: PROPOSALS.esp,
      timeoutMs: timeoutFor(count, msPerSa),
    });
    const after = sampleProcess(responder.pid);
    const held = await responder.establishedIkeSas();
    return {
      daemon: responder.name,
      responderPid: responder.pid,
      describe: responder.describe,
      count,
      established: load.established,
      failed: load.failed,
      unfinished: load.unfinished,
      held,
      seconds: load.seconds,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      responderCpuSeconds: after.cpuSeconds - before.cpuSeconds,
      responderSystemSeconds: after.systemSeconds - before.systemSeconds,
      responderRssGrowthBytes: after.rssBytes - before.rssBytes,
      generatorCpuSeconds: load.cpuSeconds,
      extraDatagrams: load.extraDatagrams,
      errors: load.errors,
    };
  } finally {
    await responder.stop();
  }
}

/** A run's figures as soon as it ends (the table follows once every daemon ran this N). */
function oneLine(r: RunFigures): string {
  return (
    `${r.daemon} N=${r.count}: ${r.established} up, ${r.failed} failed, ${r.unfinished} unfinished in ${r.seconds.toFixed(1)} s, ` +
    `${handshakesPerSecond(r).toFixed(0)}/s, p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, ` +
    `responder CPU ${r.responderCpuSeconds.toFixed(2)} s, RSS +${(r.responderRssGrowthBytes / 1048576).toFixed(1)} MiB, load average ${loadavg()[0]!.toFixed(1)}`
  );
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

/** Runs the benchmark and returns its figures (also used by the smoke test). */
export async function runBenchmark(options: BenchOptions, out: (text: string) => void): Promise<RunFigures[]> {
  out(
    `handshakes bench: IKEv2 responders side by side; each IKE SA (PSK, IKE ${PROPOSALS.ike}) with one CHILD SA (ESP ${PROPOSALS.esp}, tunnel)\n` +
      `load generator: nodeswan's initiator, 1 process, one X25519 key pair reused for all SAs (RFC 7296 §2.12), ${options.window} handshakes in flight at most\n` +
      `machine: ${machine()}\n`,
  );
  const ns = await createBenchNamespace();
  const rows: RunFigures[] = [];
  try {
    for (const count of options.counts) {
      const group: RunFigures[] = [];
      for (const daemon of options.daemons) {
        const run = await measure(ns, daemon, count, options.window, options.msPerSa);
        group.push(run);
        out(`${oneLine(run)}\n`);
      }
      rows.push(...group);
      out(`\n${formatComparison(group)}\n`);
    }
    for (const d of new Set(rows.map((r) => r.describe))) out(`${d}\n`);
    out(`machine after the runs: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    if (options.profile) {
      const dir = mkdtempSync(join(tmpdir(), 'nodeswan-bench-prof-'));
      {
        const run = await measure(ns, 'nodeswan', options.profileCount, options.window, options.msPerSa, dir);
        // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the daemon's main thread, not the `ipsec` commands'.
        const file = readdirSync(dir).find((f) => f.split('.')[3] === String(run.responderPid) && f.split('.')[4] === '0');
        out(`\nnodeswan responder CPU profile (node --cpu-prof, ${run.established} handshakes, ${handshakesPerSecond(run).toFixed(0)}/s under the profiler), top functions by self time:\n`);
        if (!file) throw new Error(`no profile of pid ${run.responderPid} in ${dir}: ${readdirSync(dir).join(', ')}`);
        const times = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')));
        const busy = times.filter((t) => t.name !== '(idle)').reduce((sum, t) => sum + t.ms, 0);
        out(`share of busy time by area:\n${formatAreas(times)}\ntop functions:\n${formatSelfTimes(times, 25)}\n(busy ${(busy / 1000).toFixed(1)} s of ${(times.reduce((s, t) => s + t.ms, 0) / 1000).toFixed(1)} s sampled; the profile: ${join(dir, file)})\n`);
      }
    }
  } finally {
    await ns.destroy();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runBenchmark(parseArgs(process.argv.slice(2)), (text) => process.stdout.write(text));
}
