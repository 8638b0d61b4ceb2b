// Log subsystems and levels. Levels follow the scale operators know from
// `charondebug`: -1 silent, 0 basic, 1 audit (default), 2 control flow,
// 3 raw data (still redacted), 4 private. A subsystem logs a line when the
// line's level is <= the subsystem's configured level.

export const SUBSYSTEMS = [
  'dmn', // daemon lifecycle
  'mgr', // SA manager
  'ike', // IKE SA / exchanges
  'chd', // CHILD SAs
  'job', // jobs, timers
  'cfg', // configuration
  'knl', // kernel backend
  'net', // sockets, datagrams
  'asn', // ASN.1 / certificates
  'enc', // message encoding
  'tls',
  'esp',
  'lib',
  'ctl', // control socket
] as const;

export type Subsystem = (typeof SUBSYSTEMS)[number];

export type LogLevel = -1 | 0 | 1 | 2 | 3 | 4;

export const DEFAULT_LEVEL: LogLevel = 1;

export type LevelMap = Record<Subsystem, LogLevel>;

export function isSubsystem(name: string): name is Subsystem {
  return (SUBSYSTEMS as readonly string[]).includes(name);
}

export function uniformLevels(level: LogLevel): LevelMap {
  const map = {} as LevelMap;
  for (const s of SUBSYSTEMS) map[s] = level;
  return map;
}

export class LogLevelError extends Error {
  readonly code = 'LOG_LEVEL_INVALID';
}

function parseLevel(text: string, what: string): LogLevel {
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < -1 || n > 4) {
    throw new LogLevelError(`${what}: level '${text}' is not one of -1, 0, 1, 2, 3, 4`);
  }
  return n as LogLevel;
}

/**
 * `charondebug="ike 2, knl 1"` (also space- or comma-separated pairs; the
 * pseudo-subsystem `any` sets every subsystem). Unknown subsystem names are
 * an error that lists the valid ones.
 */
export function parseCharonDebug(text: string, base: LevelMap = uniformLevels(DEFAULT_LEVEL)): LevelMap {
  const levels = { ...base };
  const tokens = text.split(/[\s,]+/).filter((t) => t.length > 0);
  if (tokens.length % 2 !== 0) {
    throw new LogLevelError(`charondebug: expected "subsystem level" pairs, got '${text}'`);
  }
  for (let i = 0; i < tokens.length; i += 2) {
    const name = tokens[i]!.toLowerCase();
    const level = parseLevel(tokens[i + 1]!, `charondebug ${name}`);
    if (name === 'any') {
      for (const s of SUBSYSTEMS) levels[s] = level;
    } else if (isSubsystem(name)) {
      levels[name] = level;
    } else {
      throw new LogLevelError(
        `charondebug: unknown subsystem '${name}' (valid: any, ${SUBSYSTEMS.join(', ')})`,
      );
    }
  }
  return levels;
}

// Libreswan's plutodebug names, mapped to the subsystems they cover.
const PLUTO_CLASSES: Record<string, Subsystem[]> = {
  base: ['dmn', 'mgr', 'ike', 'chd', 'cfg', 'ctl'],
  cpu_usage: ['job'],
  crypt: ['enc', 'asn'],
  tmi: [...SUBSYSTEMS],
  private: [...SUBSYSTEMS],
  control: ['dmn', 'mgr', 'ike', 'chd', 'cfg', 'ctl'],
  controlmore: ['dmn', 'mgr', 'ike', 'chd', 'cfg', 'ctl', 'job'],
  parsing: ['enc'],
  emitting: ['enc'],
  kernel: ['knl', 'esp'],
  netkey: ['knl'],
  xfrm: ['knl'],
  dns: ['net'],
  dpd: ['ike'],
  nattraversal: ['net', 'ike'],
  x509: ['asn'],
  oppo: ['cfg'],
  lifecycle: ['mgr', 'chd'],
};

/**
 * `plutodebug="none" | "all" | "base kernel ..."`: Libreswan debug classes.
 * `none` leaves the default level; each named class raises its subsystems to
 * 2, `all`/`tmi` to 3 and `private` to 4. `none` resets everything to the
 * default first, so "none kernel" means only kernel debugging.
 */
export function parsePlutoDebug(text: string, base: LevelMap = uniformLevels(DEFAULT_LEVEL)): LevelMap {
  const levels = { ...base };
  const tokens = text.split(/[\s,]+/).filter((t) => t.length > 0);
  for (const raw of tokens) {
    const token = raw.toLowerCase().replace(/-/g, '_');
    if (token === 'none') {
      Object.assign(levels, uniformLevels(DEFAULT_LEVEL));
      continue;
    }
    if (token === 'all') {
      for (const s of SUBSYSTEMS) levels[s] = Math.max(levels[s], 3) as LogLevel;
      continue;
    }
    const cls = PLUTO_CLASSES[token];
    if (!cls) {
      throw new LogLevelError(
        `plutodebug: unknown class '${raw}' (valid: none, all, ${Object.keys(PLUTO_CLASSES).join(', ')})`,
      );
    }
    const level: LogLevel = token === 'private' ? 4 : token === 'tmi' ? 3 : 2;
    for (const s of cls) levels[s] = Math.max(levels[s], level) as LogLevel;
  }
  return levels;
}
