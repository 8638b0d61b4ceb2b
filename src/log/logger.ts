// One line per event: `[time ]<SUB> [context ]message key=value ...`.
// When stdout goes to journald (JOURNAL_STREAM is set) the time is left to
// the journal and each line starts with a syslog priority prefix (`<6>`),
// which systemd turns into the entry's priority.

import { fstatSync } from 'node:fs';
import { DEFAULT_LEVEL, type LevelMap, type LogLevel, type Subsystem, uniformLevels } from './levels.js';
import { formatFields, oneLine } from './redact.js';

export type Severity = 'error' | 'warning' | 'info' | 'debug';

const SYSLOG_PRIORITY: Record<Severity, number> = { error: 3, warning: 4, info: 6, debug: 7 };

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  sink: LogSink;
  levels?: LevelMap;
  /** ISO timestamps at the start of each line (off under journald). */
  timestamps?: boolean;
  /** `<N>` syslog priority prefix for journald's SyslogLevelPrefix. */
  syslogPrefix?: boolean;
  clock?: () => Date;
}

/** Receives each emitted line (without newline) with its subsystem and context. */
export type LogTap = (line: string, subsystem: Subsystem, context: string | undefined) => void;

export class Logger {
  private levels: LevelMap;
  private readonly taps = new Set<LogTap>();
  private readonly sink: LogSink;
  private readonly timestamps: boolean;
  private readonly syslogPrefix: boolean;
  private readonly clock: () => Date;

  constructor(options: LoggerOptions) {
    this.sink = options.sink;
    this.levels = { ...(options.levels ?? uniformLevels(DEFAULT_LEVEL)) };
    this.timestamps = options.timestamps ?? true;
    this.syslogPrefix = options.syslogPrefix ?? false;
    this.clock = options.clock ?? (() => new Date());
  }

  setLevels(levels: LevelMap): void {
    this.levels = { ...levels };
  }

  getLevels(): LevelMap {
    return { ...this.levels };
  }

  enabled(subsystem: Subsystem, level: LogLevel): boolean {
    return level <= this.levels[subsystem];
  }

  /**
   * Also hands every emitted line to `tap` (e.g. to stream an `ipsec up`'s
   * log to its client) until the returned function is called. Lines are
   * already formatted and redacted.
   */
  tap(tap: LogTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  for(subsystem: Subsystem, context?: string): SubsystemLogger {
    return new SubsystemLogger(this, subsystem, context);
  }

  emit(
    subsystem: Subsystem,
    level: LogLevel,
    severity: Severity,
    message: string,
    fields?: Record<string, unknown>,
    context?: string,
  ): void {
    if (!this.enabled(subsystem, level)) return;
    let line = '';
    if (this.syslogPrefix) line += `<${SYSLOG_PRIORITY[severity]}>`;
    if (this.timestamps) line += `${this.clock().toISOString()} `;
    line += `${level < 0 ? 0 : level}[${subsystem.toUpperCase()}] `;
    if (context) line += `<${oneLine(context)}> `;
    line += oneLine(message);
    if (fields) {
      const text = formatFields(fields);
      if (text) line += ` ${text}`;
    }
    this.sink.write(`${line}\n`);
    for (const tap of this.taps) tap(line, subsystem, context);
  }
}

/** A logger bound to one subsystem (and optionally a context like `conn|3`). */
export class SubsystemLogger {
  constructor(
    private readonly root: Logger,
    readonly subsystem: Subsystem,
    readonly context?: string,
  ) {}

  withContext(context: string): SubsystemLogger {
    return new SubsystemLogger(this.root, this.subsystem, context);
  }

  enabled(level: LogLevel): boolean {
    return this.root.enabled(this.subsystem, level);
  }

  /** Always shown unless the subsystem is silenced (-1). */
  error(message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, 0, 'error', message, fields, this.context);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, 0, 'warning', message, fields, this.context);
  }

  /** Level 1: the audit trail (SA up/down, config loaded). */
  info(message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, 1, 'info', message, fields, this.context);
  }

  /** Level 2: control flow. */
  debug(message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, 2, 'debug', message, fields, this.context);
  }

  /** Level 3: raw data (still redacted: buffers print as their length). */
  raw(message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, 3, 'debug', message, fields, this.context);
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.root.emit(this.subsystem, level, level <= 1 ? 'info' : 'debug', message, fields, this.context);
  }
}

/**
 * True when `fd` is the journal stream systemd connected: JOURNAL_STREAM
 * holds "device:inode" of that stream, and an inherited variable must not
 * fool a process whose output was redirected elsewhere (e.g. a log file).
 */
export function isJournalStream(env: NodeJS.ProcessEnv, fd = 1): boolean {
  const value = env['JOURNAL_STREAM'];
  if (!value) return false;
  const [dev, ino] = value.split(':');
  try {
    const st = fstatSync(fd);
    return String(st.dev) === dev && String(st.ino) === ino;
  } catch {
    return false;
  }
}

/** Logger writing to a stream, shaped by the environment (journald or not). */
export function createStreamLogger(
  stream: { write(chunk: string): unknown },
  env: NodeJS.ProcessEnv = process.env,
  levels?: LevelMap,
  journald: boolean = isJournalStream(env),
): Logger {
  return new Logger({
    sink: { write: (line) => void stream.write(line) },
    timestamps: !journald,
    syslogPrefix: journald,
    ...(levels ? { levels } : {}),
  });
}

/** A logger that keeps its lines in memory (tests, capture). */
export function createMemoryLogger(levels?: LevelMap): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({
    sink: { write: (line) => void lines.push(line.replace(/\n$/, '')) },
    timestamps: false,
    ...(levels ? { levels } : {}),
  });
  return { logger, lines };
}
