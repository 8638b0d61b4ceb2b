// The side-by-side table: one column per daemon and the ratio
// nodeswan/charon, for one N.

export interface RunFigures {
  daemon: string;
  describe: string;
  responderPid: number;
  count: number;
  established: number;
  failed: number;
  unfinished: number;
  /** Established IKE SAs the responder reported holding afterwards. */
  held: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  responderCpuSeconds: number;
  responderSystemSeconds: number;
  responderRssGrowthBytes: number;
  generatorCpuSeconds: number;
  extraDatagrams: number;
  errors: string[];
}

interface Metric {
  label: string;
  value(r: RunFigures): number;
  digits: number;
}

export const handshakesPerSecond = (r: RunFigures): number => r.established / r.seconds;
export const cpuMicrosPerHandshake = (r: RunFigures): number => (r.responderCpuSeconds * 1e6) / Math.max(1, r.established);
export const rssBytesPerSa = (r: RunFigures): number => r.responderRssGrowthBytes / Math.max(1, r.established);

const metrics: Metric[] = [
  { label: 'handshakes/s', value: handshakesPerSecond, digits: 0 },
  { label: 'setup latency p50 (ms)', value: (r) => r.p50Ms, digits: 1 },
  { label: 'setup latency p99 (ms)', value: (r) => r.p99Ms, digits: 1 },
  { label: 'responder CPU (s)', value: (r) => r.responderCpuSeconds, digits: 2 },
  { label: '  of which system (s)', value: (r) => r.responderSystemSeconds, digits: 2 },
  { label: 'responder CPU per handshake (µs)', value: cpuMicrosPerHandshake, digits: 0 },
  // What one core could sustain at that cost: on a busy machine the rate above measures the
  // scheduler's share (16 charon threads get more of it than one nodeswan thread), this does not.
  { label: 'handshakes/s per core at that cost', value: (r) => 1e6 / cpuMicrosPerHandshake(r), digits: 0 },
  { label: 'responder RSS growth per SA (bytes)', value: rssBytesPerSa, digits: 0 },
  { label: 'established / failed / unfinished', value: (r) => r.established, digits: 0 },
  { label: 'IKE SAs the responder holds after', value: (r) => r.held, digits: 0 },
  { label: 'generator CPU (s)', value: (r) => r.generatorCpuSeconds, digits: 2 },
  { label: 'generator busy (% of one core)', value: (r) => (100 * r.generatorCpuSeconds) / r.seconds, digits: 0 },
  { label: 'retransmitted datagrams', value: (r) => r.extraDatagrams, digits: 0 },
];

function cell(metric: Metric, r: RunFigures): string {
  if (metric.label.startsWith('established')) return `${r.established} / ${r.failed} / ${r.unfinished}`;
  const v = metric.value(r);
  return Number.isFinite(v) ? v.toFixed(metric.digits) : 'n/a';
}

function ratio(metric: Metric, ours: RunFigures | undefined, theirs: RunFigures | undefined): string {
  if (!ours || !theirs || metric.label.startsWith('established') || metric.label.startsWith('IKE SAs') || metric.label.startsWith('retransmitted') || metric.label.startsWith('generator')) return '';
  const a = metric.value(ours);
  const b = metric.value(theirs);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0 || a < 0) return 'n/a';
  return `${(a / b).toFixed(2)}x`;
}

/** One N: rows are metrics, columns the daemons and nodeswan/charon. */
export function formatComparison(runs: RunFigures[]): string {
  const ours = runs.find((r) => r.daemon === 'nodeswan');
  const theirs = runs.find((r) => r.daemon === 'charon');
  const header = [`N = ${runs[0]?.count ?? '?'}`, ...runs.map((r) => r.daemon), ...(ours && theirs ? ['nodeswan/charon'] : [])];
  const lines = metrics.map((m) => [m.label, ...runs.map((r) => cell(m, r)), ...(ours && theirs ? [ratio(m, ours, theirs)] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const errors = runs.flatMap((r) => r.errors.map((e) => `  ${r.daemon}: ${e}`));
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt), ...(errors.length ? ['errors (first few):', ...errors] : [])].join('\n');
}
