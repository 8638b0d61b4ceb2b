// nodeswan's own daemon as a host inside a lab namespace, driven by the real
// `ipsec` command (src/cli/main.ts) exactly as an admin would, one daemon
// per namespace: each gets its own folder with ipsec.conf, ipsec.secrets,
// ipsec.d/ (cacerts, certs, private), run/ (control socket, pid file) and a
// log file, passed with --config/--secrets/--ipsecdir/--rundir/--logfile.
// `ipsec start` forks and returns once the daemon is ready; stop() runs
// `ipsec stop` and, if a daemon survives that, kills it by its pid file.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIn, type RunResult } from './netns.js';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface NodeswanFiles {
  /** Relative to ipsec.d, e.g. { 'cacerts/ca.pem': pem, 'certs/left.pem': pem, 'private/left.pem': key }. */
  [relativePath: string]: string;
}

export interface NodeswanConfig {
  /** ipsec.conf text. */
  conf: string;
  /** ipsec.secrets text (written 0600). */
  secrets?: string;
  files?: NodeswanFiles;
}

export class NodeswanDaemon {
  private constructor(
    readonly ns: string,
    readonly dir: string,
  ) {}

  /** Writes the configuration into a fresh folder and runs `ipsec start` in `ns`; throws with the log if it fails. */
  static async start(ns: string, config: NodeswanConfig, options: { name?: string } = {}): Promise<NodeswanDaemon> {
    const dir = mkdtempSync(join(tmpdir(), `nodeswan-daemon-${options.name ?? ns}-`));
    for (const sub of ['ipsec.d/cacerts', 'ipsec.d/certs', 'ipsec.d/private', 'run']) mkdirSync(join(dir, sub), { recursive: true });
    const daemon = new NodeswanDaemon(ns, dir);
    daemon.writeConfig(config);
    const result = await daemon.ipsec(['start']);
    if (result.exitCode !== 0) {
      throw new Error(`ipsec start in ${ns} failed (exit ${result.exitCode}):\n${result.stdout}${result.stderr}\n--- log ---\n${daemon.log()}`);
    }
    return daemon;
  }

  get paths() {
    return {
      config: join(this.dir, 'ipsec.conf'),
      secrets: join(this.dir, 'ipsec.secrets'),
      ipsecdir: join(this.dir, 'ipsec.d'),
      rundir: join(this.dir, 'run'),
      logfile: join(this.dir, 'nodeswan.log'),
    };
  }

  /** Replaces the configuration files (follow with `ipsec reload` or restart). */
  writeConfig(config: NodeswanConfig): void {
    writeFileSync(this.paths.config, config.conf);
    writeFileSync(this.paths.secrets, config.secrets ?? '', { mode: 0o600 });
    chmodSync(this.paths.secrets, 0o600);
    for (const [path, content] of Object.entries(config.files ?? {})) {
      const target = join(this.paths.ipsecdir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content, { mode: path.startsWith('private/') ? 0o600 : 0o644 });
    }
  }

  /** Runs `ipsec ARGS` in the daemon's namespace with its paths; never throws on a non-zero exit. */
  ipsec(args: string[], timeoutMs = 90_000): Promise<RunResult> {
    const p = this.paths;
    return runIn(
      this.ns,
      [process.execPath, '--import', 'tsx', cliMain, ...args,
        '--config', p.config, '--secrets', p.secrets, '--ipsecdir', p.ipsecdir, '--rundir', p.rundir, '--logfile', p.logfile],
      { allowFailure: true, timeoutMs },
    );
  }

  /** `ipsec up NAME`; throws with the command's output and the log unless it succeeds. */
  async up(conn: string): Promise<RunResult> {
    const result = await this.ipsec(['up', conn]);
    if (result.exitCode !== 0) {
      throw new Error(`ipsec up ${conn} in ${this.ns} failed (exit ${result.exitCode}):\n${result.stdout}${result.stderr}\n--- log ---\n${this.log()}`);
    }
    return result;
  }

  /** `ipsec status --json` (optionally for one connection), parsed. */
  async status<T = unknown>(conn?: string): Promise<T> {
    const result = await this.ipsec(['status', '--json', ...(conn ? [conn] : [])]);
    if (result.exitCode !== 0) throw new Error(`ipsec status --json in ${this.ns} failed:\n${result.stdout}${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  log(): string {
    try {
      return readFileSync(this.paths.logfile, 'utf8');
    } catch {
      return '';
    }
  }

  /** `ipsec stop`; kills a daemon that outlives it (by pid file) so teardown never leaks one. */
  async stop(): Promise<RunResult> {
    const result = await this.ipsec(['stop']);
    const pidFile = join(this.paths.rundir, 'nodeswan.pid');
    if (existsSync(pidFile)) {
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 1) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    return result;
  }

  /** Stops the daemon and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
