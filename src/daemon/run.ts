// Runs a daemon in the foreground (`ipsec start --nofork`, the systemd
// ExecStart): start, report readiness, serve until SIGTERM/SIGINT or
// `ipsec stop`, reload on SIGHUP. Resolves with the exit code.

import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { Daemon, type DaemonDeps } from './daemon.js';
import type { ReadinessPipe } from './readiness-pipe.js';

export interface ForegroundOptions {
  deps: DaemonDeps;
  readiness: ReadinessPipe;
  /** Where startup errors go besides the log (the terminal of `--nofork`). */
  reportError?: (message: string) => void;
}

function describe(err: unknown): { message: string; details: string[] } {
  const e = err as { message?: unknown; details?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const details = Array.isArray(e?.details) ? e.details.map(String) : [];
  return { message, details };
}

export async function runForeground(options: ForegroundOptions): Promise<number> {
  const { deps, readiness } = options;
  const log = deps.log.for('dmn');
  const daemon = new Daemon(deps);
  try {
    await daemon.start();
  } catch (err) {
    const { message, details } = describe(err);
    log.error('cannot start', { reason: message });
    for (const d of details) deps.log.for('cfg').error(d);
    options.reportError?.([message, ...details].join('\n'));
    readiness.failed([message, ...details].join('\n'));
    return 1;
  }
  readiness.ready(process.pid);

  const onTerm = (signal: NodeJS.Signals) => void daemon.shutdown(signal);
  const onHup = () => {
    log.info('SIGHUP: reloading configuration');
    daemon.reload().catch(() => {
      // already logged by reload(): the running configuration stays
    });
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGHUP', onHup);
  try {
    await daemon.stopped;
    // Let a pending `shutdown` reply reach its socket, then close the
    // connections so `ipsec stop` sees the end.
    await nextMacrotask();
    await daemon.closeControlConnections();
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('SIGHUP', onHup);
  }
  return 0;
}
