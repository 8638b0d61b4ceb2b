import { ControlClient } from '../control/client.js';
import type { DaemonPaths } from '../daemon/paths.js';

/**
 * A client for one command. Quick queries give up after `timeoutMs` so a
 * hung daemon cannot hang scripts; `up`, `down` and `stop` wait as long as
 * the exchange with the peer takes (retransmissions can last minutes).
 */
export function daemonClient(paths: DaemonPaths, timeoutMs?: number): ControlClient {
  return new ControlClient({ path: paths.socketPath, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}

export const QUERY_TIMEOUT_MS = 30_000;

/** Prints a streamed daemon log line (without a journald priority prefix). */
export function printProgress(line: string): void {
  process.stdout.write(`${line.replace(/^<\d>/, '')}\n`);
}
