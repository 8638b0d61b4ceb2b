// The daemon's lifecycle around an Engine: take the pid file, load the
// config, bind the sockets, start the engine, open the control socket, say
// "ready"; reload on request; shut down in the reverse order. Construction
// of the concrete pieces is left to the factories in DaemonDeps (see
// compose.ts), so tests can run the same lifecycle with their own engine.

import { ControlError, type ControlHandlers, ControlServer, type DaemonInfo, PROTOCOL_VERSION, prepareRunDir, resolveGroup } from '../control/index.js';
import type { RereadSecretsResult } from '../control/protocol.js';
import { DEFAULT_LEVEL, type LevelMap, parseCharonDebug, parsePlutoDebug, uniformLevels } from '../log/levels.js';
import type { Logger, SubsystemLogger } from '../log/logger.js';
import { type DatagramTransport, formatEndpoint } from '../net/transport.js';
import { ConfigLoadError, type ConfigLoader, type LoadedConfig, type SecretsLoader } from './config-source.js';
import type { Engine, ReloadReport, RouteResult, StatusSnapshot } from './engine.js';
import type { DaemonPaths } from './paths.js';
import { PidFile } from './pid-file.js';
import type { Notifier } from './systemd-notify.js';

export interface TransportContext {
  log: Logger;
  config: LoadedConfig;
}

export interface EngineContext {
  transport: DatagramTransport;
  log: Logger;
  config: LoadedConfig;
  paths: DaemonPaths;
}

export interface DaemonDeps {
  paths: DaemonPaths;
  log: Logger;
  version: string;
  loadConfig: ConfigLoader;
  /** ipsec.secrets alone; without it `ipsec rereadsecrets` reads both files and applies the secrets. */
  loadSecrets?: SecretsLoader;
  createTransport(ctx: TransportContext): DatagramTransport;
  createEngine(ctx: EngineContext): Engine | Promise<Engine>;
  /** sd_notify (no-op outside systemd). */
  notify: Notifier;
  /** Extra cleanup after the engine stopped (e.g. closing the kernel backend). */
  onStopped?: () => Promise<void>;
}

/** Levels from `config setup`; a bad value is reported and the default kept. */
export function levelsFromConfig(config: LoadedConfig, warn: (message: string) => void): LevelMap {
  let levels = uniformLevels(DEFAULT_LEVEL);
  try {
    if (config.plutodebug) levels = parsePlutoDebug(config.plutodebug, levels);
    if (config.charondebug) levels = parseCharonDebug(config.charondebug, levels);
  } catch (err) {
    warn((err as Error).message);
  }
  return levels;
}

function asControlError(err: unknown, fallbackCode: string): ControlError {
  if (err instanceof ControlError) return err;
  if (err instanceof ConfigLoadError) return new ControlError('CONFIG_INVALID', err.message, err.details);
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : fallbackCode;
  return new ControlError(code, typeof e?.message === 'string' ? e.message : String(err));
}

export class Daemon {
  private readonly log: SubsystemLogger;
  private readonly ctlLog: SubsystemLogger;
  private pidFile: PidFile | undefined;
  private transport: DatagramTransport | undefined;
  private engine: Engine | undefined;
  private control: ControlServer | undefined;
  private readonly startedAt = new Date().toISOString();
  private reloading: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private ready = false;
  private resolveStopped!: () => void;
  /** Resolves once shutdown has finished (the process may exit then). */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  constructor(private readonly deps: DaemonDeps) {
    this.log = deps.log.for('dmn');
    this.ctlLog = deps.log.for('ctl');
  }

  info(): DaemonInfo {
    return { pid: process.pid, version: this.deps.version, startedAt: this.startedAt, protocol: PROTOCOL_VERSION };
  }

  /**
   * Everything up to "ready". The control socket opens right after the pid
   * file, before anything acts on the network: an unusable socket path stops
   * the start before conns are initiated, and `ipsec status` during a slow
   * start answers "starting" instead of "not running". On failure releases
   * what it took and throws.
   */
  async start(): Promise<void> {
    const { paths, log } = this.deps;
    try {
      const gid = paths.controlGroup === undefined ? undefined : resolveGroup(paths.controlGroup);
      prepareRunDir(paths.runDir, gid);
      this.pidFile = PidFile.acquire(paths.pidFile);
      this.control = new ControlServer({
        path: paths.socketPath,
        handlers: this.handlers(),
        log: this.ctlLog,
        ...(gid === undefined ? {} : { gid }),
      });
      await this.control.listen();

      const config = await this.deps.loadConfig(paths);
      log.setLevels(levelsFromConfig(config, (m) => log.for('cfg').warn(m)));
      for (const w of config.warnings) log.for('cfg').warn(w);
      log.for('cfg').info('loaded configuration', { configFile: paths.configFile, secretsFile: paths.secretsFile });

      this.transport = this.deps.createTransport({ log, config });
      await this.transport.start();
      log.for('net').info('listening', { on: this.transport.listening().map(formatEndpoint) });

      const engine = await this.deps.createEngine({ transport: this.transport, log, config, paths });
      this.engine = engine;
      await engine.load(config.config, config.secrets);
      this.ready = true;

      this.log.info('nodeswan started', { pid: process.pid, version: this.deps.version, socket: paths.socketPath });
      await this.deps.notify('READY=1', `STATUS=listening on ${this.transport.listening().length} sockets`);
    } catch (err) {
      await this.release();
      throw err;
    }
  }

  private async release(): Promise<void> {
    this.control?.stopAccepting();
    await this.engine?.shutdown().catch(() => {});
    await this.transport?.close().catch(() => {});
    await this.deps.onStopped?.().catch(() => {});
    this.pidFile?.release();
  }

  /** The engine once start-up has finished; requests before that are told to wait. */
  private readyEngine(): Engine {
    if (!this.ready || !this.engine) throw new ControlError('STARTING', 'nodeswan is still starting; try again in a moment');
    return this.engine;
  }

  /** Re-reads the config; a broken one is refused and the running one kept. */
  reload(): Promise<{ report: ReloadReport; warnings: string[] }> {
    const run = this.reloading.then(async () => {
      if (this.stopping) throw new ControlError('SHUTTING_DOWN', 'nodeswan is shutting down');
      const cfgLog = this.deps.log.for('cfg');
      let config: LoadedConfig;
      try {
        config = await this.deps.loadConfig(this.deps.paths);
      } catch (err) {
        const e = asControlError(err, 'CONFIG_INVALID');
        cfgLog.error('reload refused, keeping the running configuration', { reason: e.message });
        for (const d of e.details) cfgLog.error(d);
        throw e;
      }
      const report = await this.readyEngine().load(config.config, config.secrets);
      const sockets = await this.transport!.refresh?.();
      if (sockets && sockets.added.length + sockets.removed.length > 0) {
        this.deps.log.for('net').info('interface addresses changed', { ...sockets });
      }
      this.deps.log.setLevels(levelsFromConfig(config, (m) => cfgLog.warn(m)));
      for (const w of config.warnings) cfgLog.warn(w);
      cfgLog.info('reloaded configuration', {
        added: report.added,
        removed: report.removed,
        changed: report.changed,
      });
      return { report, warnings: config.warnings };
    });
    this.reloading = run.catch(() => {});
    return run;
  }

  /**
   * `ipsec rereadsecrets`: ipsec.secrets again, for the next
   * authentications; SAs are not touched. Serialized with reloads; broken
   * secrets are refused like a broken config and the old ones stay.
   */
  rereadSecrets(): Promise<RereadSecretsResult> {
    const run = this.reloading.then(async () => {
      if (this.stopping) throw new ControlError('SHUTTING_DOWN', 'nodeswan is shutting down');
      const engine = this.readyEngine();
      if (!engine.reloadSecrets) throw new ControlError('UNSUPPORTED', 'this engine cannot re-read secrets');
      const cfgLog = this.deps.log.for('cfg');
      const load: SecretsLoader = this.deps.loadSecrets ?? (async (paths) => {
        const c = await this.deps.loadConfig(paths);
        return { secrets: c.secrets, count: (c.secrets as { entries?: unknown[] } | undefined)?.entries?.length ?? 0, warnings: c.warnings };
      });
      let loaded: Awaited<ReturnType<SecretsLoader>>;
      try {
        loaded = await load(this.deps.paths);
      } catch (err) {
        const e = asControlError(err, 'CONFIG_INVALID');
        cfgLog.error('rereadsecrets refused, keeping the secrets in force', { reason: e.message });
        for (const d of e.details) cfgLog.error(d);
        throw e;
      }
      await engine.reloadSecrets(loaded.secrets);
      for (const w of loaded.warnings) cfgLog.warn(w);
      cfgLog.info('reloaded secrets', { secretsFile: this.deps.paths.secretsFile, entries: loaded.count });
      return { secrets: loaded.count, warnings: loaded.warnings };
    });
    this.reloading = run.catch(() => {});
    return run;
  }

  status(conn?: string): StatusSnapshot {
    const snapshot = this.readyEngine().status(conn);
    const transport = this.transport!;
    const counters = transport.counters();
    // Socket-level counters under a `net-` prefix. Assigned, not added: an
    // engine that already copied them into its snapshot is not counted twice.
    const drops: Record<string, number> = { ...snapshot.drops };
    for (const [reason, n] of Object.entries(counters.drops)) drops[`net-${reason}`] = n;
    if (counters.keepalives > 0) drops['net-natt-keepalive'] = counters.keepalives;
    return {
      ...snapshot,
      daemon: {
        pid: process.pid,
        startedAt: this.startedAt,
        version: this.deps.version,
        listening: transport.listening().map(formatEndpoint),
      },
      drops,
    };
  }

  /** Idempotent: the first call does the work, later calls share it. */
  shutdown(reason: string): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.log.info('shutting down', { reason });
        await this.deps.notify('STOPPING=1');
        this.control?.stopAccepting();
        try {
          await this.engine?.shutdown();
        } catch (err) {
          this.log.error('engine shutdown failed', { error: err });
        }
        await this.transport?.close().catch(() => {});
        await this.deps.onStopped?.().catch((err: unknown) => this.log.error('cleanup failed', { error: err }));
        this.pidFile?.release();
        this.log.info('nodeswan stopped');
        this.resolveStopped();
      })();
    }
    return this.stopping;
  }

  /**
   * Forwards the log lines about one conn (context `conn`, `conn|N`,
   * `conn{N}`, `conn[N]`) while a request runs, so `ipsec up` shows the
   * exchange as it happens.
   */
  private streamConnLog(conn: string, progress: (line: string) => void): () => void {
    return this.deps.log.tap((line, _subsystem, context) => {
      if (context === undefined) return;
      if (context === conn || (context.startsWith(conn) && '|{['.includes(context.charAt(conn.length)))) progress(line);
    });
  }

  /** `ipsec route` / `ipsec unroute`: the engine's answer, or UNSUPPORTED for an engine without traps. */
  private async trapRequest(verb: 'route' | 'unroute', conn: string): Promise<RouteResult> {
    this.ctlLog.info(`${verb} requested`, { conn });
    const engine = this.readyEngine();
    const call = verb === 'route' ? engine.route?.bind(engine) : engine.unroute?.bind(engine);
    if (!call) throw new ControlError('UNSUPPORTED', `this engine cannot ${verb} connections`);
    const result = await call(conn);
    if (!result.ok) this.ctlLog.info(`${verb} failed`, { conn, error: result.error });
    return result;
  }

  private handlers(): ControlHandlers {
    return {
      ping: async () => this.info(),
      status: async ({ conn }) => {
        // Refresh the engine's kernel counters first, so `ipsec status`
        // shows what the kernel counts now rather than at the last refresh.
        await this.readyEngine().statusWithCounters?.(conn);
        return this.status(conn);
      },
      up: async ({ conn }, ctx) => {
        this.ctlLog.info('up requested', { conn });
        const untap = this.streamConnLog(conn, ctx.progress);
        try {
          const result = await this.readyEngine().up(conn);
          if (!result.ok) this.ctlLog.info('up failed', { conn, error: result.error });
          return result;
        } catch (err) {
          throw asControlError(err, 'UP_FAILED');
        } finally {
          untap();
        }
      },
      down: async ({ conn }, ctx) => {
        this.ctlLog.info('down requested', { conn });
        const untap = this.streamConnLog(conn, ctx.progress);
        try {
          await this.readyEngine().down(conn);
        } catch (err) {
          throw asControlError(err, 'DOWN_FAILED');
        } finally {
          untap();
        }
        return { conn };
      },
      route: async ({ conn }) => this.trapRequest('route', conn),
      unroute: async ({ conn }) => this.trapRequest('unroute', conn),
      rekey: async ({ conn, ike }) => {
        this.ctlLog.info('rekey requested', { conn, ike: ike === true });
        const engine = this.readyEngine();
        if (!engine.rekey) throw new ControlError('UNSUPPORTED', 'this engine cannot rekey on demand');
        try {
          return { conn, ike: ike === true, started: await engine.rekey(conn, { ike: ike === true }) };
        } catch (err) {
          throw asControlError(err, 'REKEY_FAILED');
        }
      },
      reload: async () => this.reload(),
      rereadsecrets: async () => this.rereadSecrets(),
      shutdown: async () => {
        if (!this.ready && !this.stopping) throw new ControlError('STARTING', 'nodeswan is still starting; try again in a moment');
        await this.shutdown('ipsec stop');
        return { pid: process.pid };
      },
    };
  }

  /** Resolves once every control reply written so far has left the process. */
  controlFlushed(): Promise<void> {
    return this.control?.flushed() ?? Promise.resolve();
  }
}
