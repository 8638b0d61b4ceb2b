// The daemon refused a configuration (`ipsec reload`, `ipsec rereadsecrets`):
// every diagnostic goes to stderr and the command exits 1; any other error
// is the caller's.

/** Prints a CONFIG_INVALID refusal and returns exit status 1; rethrows anything else. */
export function reportRefusal(err: unknown, command: string, kept: string): number {
  const e = err as { code?: unknown; message?: string; details?: string[] };
  if (e.code !== 'CONFIG_INVALID') throw err;
  process.stderr.write(`${command} refused: ${e.message}\n`);
  for (const d of e.details ?? []) process.stderr.write(`${d}\n`);
  process.stderr.write(`${kept}\n`);
  return 1;
}
