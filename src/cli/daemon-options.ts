// Flags shared by the daemon-facing commands (start, stop, up, status, ...):
// the path overrides every `ipsec` command accepts, plus per-command
// switches. Bad flags give a usage error (exit 1) naming the valid ones.

import { parseArgs } from 'node:util';
import { type DaemonPaths, type PathOverrides, resolvePaths } from '../daemon/paths.js';

const PATH_FLAGS = ['config', 'secrets', 'ipsecdir', 'rundir', 'socket', 'logfile', 'ctlgroup'] as const;

export class UsageError extends Error {
  readonly code = 'USAGE';
}

export interface ParsedDaemonArgs {
  overrides: PathOverrides;
  paths: DaemonPaths;
  positionals: string[];
  flags: Record<string, boolean>;
}

/**
 * Parses `args` for a command that takes `booleans` switches and at most
 * `maxPositionals` positional arguments.
 */
export function parseDaemonArgs(
  command: string,
  args: string[],
  booleans: readonly string[] = [],
  maxPositionals = 0,
  env: NodeJS.ProcessEnv = process.env,
): ParsedDaemonArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const f of PATH_FLAGS) options[f] = { type: 'string' };
  for (const b of booleans) options[b] = { type: 'boolean' };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const valid = [...PATH_FLAGS.map((f) => `--${f} X`), ...booleans.map((b) => `--${b}`)].join(', ');
    throw new UsageError(`ipsec ${command}: ${(err as Error).message.split('\n')[0]} (options: ${valid})`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`ipsec ${command}: unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  const overrides: PathOverrides = {};
  const flags: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') overrides[k as keyof PathOverrides] = v;
    else if (typeof v === 'boolean') flags[k] = v;
  }
  return { overrides, paths: resolvePaths(overrides, env), positionals: parsed.positionals, flags };
}

/** Runs a command body, turning UsageError and ControlError into exit codes. */
export async function withErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    const message = typeof e?.message === 'string' ? e.message : String(err);
    process.stderr.write(`${message}\n`);
    if (Array.isArray(e?.details)) for (const d of e.details) process.stderr.write(`  ${String(d)}\n`);
    if (e?.code === 'USAGE') return 1;
    if (e?.code === 'NOT_RUNNING') return 7;
    return 1;
  }
}
