// Where the daemon finds its config and keeps its run-time files. Every
// `ipsec` command accepts the same overrides, so tests and admins can run
// several daemons side by side (one per network namespace).

import { join, resolve } from 'node:path';

export interface DaemonPaths {
  configFile: string;
  secretsFile: string;
  /** cacerts/, certs/, private/ live here. */
  ipsecDir: string;
  runDir: string;
  socketPath: string;
  pidFile: string;
  /** Where a forked daemon writes its log (a --nofork daemon logs to stdout). */
  logFile: string;
  /** A group whose members may use the control socket too (default: root only). */
  controlGroup?: string;
}

export interface PathOverrides {
  config?: string;
  secrets?: string;
  ipsecdir?: string;
  rundir?: string;
  socket?: string;
  logfile?: string;
  ctlgroup?: string;
}

export const DEFAULT_PATHS = {
  configFile: '/etc/ipsec.conf',
  secretsFile: '/etc/ipsec.secrets',
  ipsecDir: '/etc/ipsec.d',
  runDir: '/run/nodeswan',
  logFile: '/var/log/nodeswan.log',
} as const;

export const SOCKET_NAME = 'nodeswan.ctl';
export const PID_NAME = 'nodeswan.pid';

/** Flags win over NODESWAN_* environment variables, which win over defaults. */
export function resolvePaths(overrides: PathOverrides = {}, env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const abs = (p: string) => resolve(p);
  const runDir = abs(overrides.rundir ?? env['NODESWAN_RUNDIR'] ?? DEFAULT_PATHS.runDir);
  return {
    configFile: abs(overrides.config ?? env['NODESWAN_CONFIG'] ?? DEFAULT_PATHS.configFile),
    secretsFile: abs(overrides.secrets ?? env['NODESWAN_SECRETS'] ?? DEFAULT_PATHS.secretsFile),
    ipsecDir: abs(overrides.ipsecdir ?? env['NODESWAN_IPSECDIR'] ?? DEFAULT_PATHS.ipsecDir),
    runDir,
    socketPath: abs(overrides.socket ?? env['NODESWAN_SOCKET'] ?? join(runDir, SOCKET_NAME)),
    pidFile: join(runDir, PID_NAME),
    logFile: abs(overrides.logfile ?? env['NODESWAN_LOGFILE'] ?? DEFAULT_PATHS.logFile),
    ...((overrides.ctlgroup ?? env['NODESWAN_CTLGROUP']) ? { controlGroup: overrides.ctlgroup ?? env['NODESWAN_CTLGROUP'] } : {}),
  };
}

/** The same overrides as command-line flags, to pass on to a forked daemon. */
export function overridesToArgs(overrides: PathOverrides): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) args.push(`--${key}`, value);
  }
  return args;
}
