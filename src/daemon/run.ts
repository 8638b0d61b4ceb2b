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
  // Handlers go in before start so a signal during start-up is not fatal:
  // a stop request is remembered and honoured once start-up is complete.
  let running = false;
  let stopRequested: NodeJS.Signals | undefined;
  const onTerm = (signal: NodeJS.Signals) => {
    if (running) void daemon.shutdown(signal);
    else stopRequested ??= signal;
  };
  const onHup = () => {
    if (!running) return;
    log.info('SIGHUP: reloading configuration');
    daemon.reload().catch(() => {
      // already logged by reload(): the running configuration stays
    });
  };
  // A bug must leave one log line saying what happened (redacted like every
  // line) before the process dies; the stale pid file and socket are
  // cleaned up by the next start.
  const onCrash = (err: unknown) => {
    log.error('internal error, exiting', { error: err, stack: err instanceof Error ? err.stack : undefined });
    process.exit(70);
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const removeHandlers = () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('SIGHUP', onHup);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  };
  try {
    await daemon.start();
  } catch (err) {
    removeHandlers();
    const { message, details } = describe(err);
    log.error('cannot start', { reason: message });
    for (const d of details) deps.log.for('cfg').error(d);
    options.reportError?.([message, ...details].join('\n'));
    readiness.failed([message, ...details].join('\n'));
    return 1;
  }
  readiness.ready(process.pid);
  running = true;
  if (stopRequested) void daemon.shutdown(stopRequested);

  try {
    await daemon.stopped;
    // Let a pending `shutdown` reply be written and flushed; the caller
    // exits next, which ends the connection `ipsec stop` is waiting on.
    await nextMacrotask();
    await daemon.controlFlushed();
  } finally {
    removeHandlers();
  }
  return 0;
}
