// Small measurement helpers: percentiles and a process's CPU time and
// resident memory from /proc.

import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export interface ProcSample {
  /** utime + stime of all the process's threads, seconds. */
  cpuSeconds: number;
  /** stime alone (system calls; on loopback a send also delivers the datagram). */
  systemSeconds: number;
  /** VmRSS, bytes. */
  rssBytes: number;
}

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

export function sampleProcess(pid: number): ProcSample {
  // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (rss === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return { cpuSeconds: ticks / CLOCK_TICKS, systemSeconds: Number(fields[12]) / CLOCK_TICKS, rssBytes: Number(rss) * 1024 };
}
