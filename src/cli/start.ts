// `ipsec start [--nofork]`: without --nofork, spawns itself detached with
// --nofork, waits on a pipe until the daemon says READY (or why it failed)
// and returns; with --nofork runs the daemon in the foreground (systemd's
// ExecStart), logging to stdout.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { type DaemonComposition, daemonDeps, productionComposition } from '../daemon/compose.js';
import { type DaemonPaths, type PathOverrides, overridesToArgs } from '../daemon/paths.js';
import { isDaemonProcess, readPid } from '../daemon/pid-file.js';
import { READY_FD_ENV, ReadinessPipe, parseReadiness } from '../daemon/readiness-pipe.js';
import { runForeground } from '../daemon/run.js';
import { createSystemdNotifier } from '../daemon/systemd-notify.js';
import { nodeswanVersion } from '../daemon/version.js';
import { createStreamLogger } from '../log/logger.js';
import type { Command } from './commands.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';

export type CompositionFactory = () => DaemonComposition;

async function foreground(paths: DaemonPaths, compose: CompositionFactory): Promise<number> {
  const log = createStreamLogger(process.stdout);
  const notify = createSystemdNotifier({ onError: (m) => log.for('dmn').warn(m) });
  const readiness = ReadinessPipe.fromEnv();
  const forked = process.env['NODESWAN_FORKED'] === '1';
  // A background daemon should not keep the directory it was started from
  // busy. (Not before: node's --import flags resolve against the cwd at
  // start-up; paths were made absolute by `ipsec start`.)
  if (forked) process.chdir('/');
  const code = await runForeground({
    deps: daemonDeps(compose(), paths, log, notify, nodeswanVersion()),
    readiness,
    ...(forked ? {} : { reportError: (m: string) => void process.stderr.write(`ipsec start: ${m}\n`) }),
  });
  // The engine may hold timers or sockets of its own; the daemon is done.
  process.exit(code);
}

function absolute(overrides: PathOverrides): PathOverrides {
  const out: PathOverrides = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined) out[k as keyof PathOverrides] = k === 'ctlgroup' ? v : resolve(v);
  }
  return out;
}

/** Forks the daemon and waits for its readiness line. Exported for restart. */
export async function forkDaemon(paths: DaemonPaths, overrides: PathOverrides): Promise<number> {
  const running = readPid(paths.pidFile);
  if (running !== undefined && isDaemonProcess(running)) {
    process.stderr.write(`nodeswan is already running (pid ${running}, pid file ${paths.pidFile})\n`);
    return 1;
  }
  let logFd: number;
  try {
    logFd = openSync(paths.logFile, 'a', 0o600);
  } catch (err) {
    process.stderr.write(`ipsec start: cannot open log file ${paths.logFile}: ${(err as Error).message} (use --logfile)\n`);
    return 1;
  }
  const script = process.argv[1];
  if (!script) throw new Error('cannot find the ipsec script to fork');
  const child = spawn(
    process.execPath,
    [...process.execArgv, script, 'start', '--nofork', ...overridesToArgs(absolute(overrides))],
    {
      detached: true,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      env: { ...process.env, [READY_FD_ENV]: '3', NODESWAN_FORKED: '1' },
    },
  );
  closeSync(logFd);
  const pipe = (child.stdio[3] ?? null) as Readable | null;
  const text = await new Promise<string>((resolve) => {
    let got = '';
    if (!pipe) return resolve('');
    pipe.on('data', (d: Buffer) => (got += d.toString()));
    pipe.on('end', () => resolve(got));
    pipe.on('error', () => resolve(got));
    child.once('error', () => resolve(got));
  });
  const outcome = parseReadiness(text);
  if (!outcome.ready) {
    process.stderr.write(`ipsec start: nodeswan failed to start: ${outcome.error.split(' | ').join('\n  ')}\n`);
    process.stderr.write(`  (daemon log: ${paths.logFile})\n`);
    return 1;
  }
  child.unref();
  pipe?.destroy();
  process.stdout.write(`Starting nodeswan IPsec daemon (pid ${outcome.pid})\n`);
  return 0;
}

export function createStartCommand(compose: CompositionFactory): Command {
  return {
    summary: 'start the IKE daemon (--nofork: in the foreground)',
    run: (args) =>
      withErrors(async () => {
        const { paths, overrides, flags } = parseDaemonArgs('start', args, ['nofork']);
        if (flags['nofork']) return foreground(paths, compose);
        return forkDaemon(paths, overrides);
      }),
  };
}

export const startCommand = createStartCommand(productionComposition);
