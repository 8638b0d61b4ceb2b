// nodeswan's own daemon as a host inside a lab namespace, driven by the real
// `ipsec` command (src/cli/main.ts) exactly as an admin would, one daemon
// per namespace: each gets its own folder with ipsec.conf, ipsec.secrets,
// ipsec.d/ (cacerts, certs, private), run/ (control socket, pid file) and a
// log file, passed with --config/--secrets/--ipsecdir/--rundir/--logfile.
// `ipsec start` forks and returns once the daemon is ready; stop() runs
// `ipsec stop` and, if a daemon survives that, kills it by its pid file.
//
// The command is the CLI's source bundled once per source tree with esbuild
// (what `tsc` makes of it for dist/, in a few files): under TCG, starting
// it through tsx transpiles every module again in each process and costs
// 15-25 s per `ipsec` call instead of 1-2 s. The bundle lives in a
// temporary folder next to links to the package's node_modules/ and
// native/, so dependencies and the addon resolve as from dist/.
// NODESWAN_LAB_TRACE=1 prints each `ipsec` command's duration.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { run, runIn, type RunResult } from './netns.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliMain = join(packageRoot, 'src', 'cli', 'main.ts');

/** A fingerprint of src/ (paths, sizes, mtimes): a new bundle whenever a source changes. */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const st = statSync(path);
        hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(join(packageRoot, 'src'));
  return hash.digest('hex').slice(0, 16);
}

let bundling: Promise<string> | undefined;

/** Path of the bundled `ipsec` command (built on first use, shared by every test process of one lab run). */
export function ipsecScript(): Promise<string> {
  bundling ??= bundleCli().catch((error: unknown) => {
    bundling = undefined;
    throw error;
  });
  return bundling;
}

async function bundleCli(): Promise<string> {
  const dir = join(tmpdir(), `nodeswan-cli-${sourceFingerprint()}`);
  const script = join(dir, 'ipsec', 'main.mjs');
  if (existsSync(script)) return script;
  mkdirSync(dir, { recursive: true });
  for (const link of ['node_modules', 'native']) {
    if (!existsSync(join(dir, link))) symlinkSync(join(packageRoot, link), join(dir, link));
  }
  // Split per command (the registry imports each one lazily): `ipsec status`
  // then loads only what it needs, half the start-up of one big file.
  const partial = join(dir, `build-${process.pid}`);
  await run([
    join(packageRoot, 'node_modules', '.bin', 'esbuild'), cliMain,
    '--bundle', '--splitting', '--platform=node', '--format=esm', '--target=node20', '--packages=external',
    '--out-extension:.js=.mjs', '--log-level=warning', `--outdir=${partial}`,
  ], { timeoutMs: 120_000 });
  try {
    renameSync(partial, join(dir, 'ipsec')); // atomic: another test process sees all of it or nothing
  } catch (error) {
    if (!existsSync(script)) throw error; // else another process won the race with the same sources
    rmSync(partial, { recursive: true, force: true });
  }
  return script;
}

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
  async ipsec(args: string[], timeoutMs = 90_000): Promise<RunResult> {
    const p = this.paths;
    const started = performance.now();
    const result = await runIn(
      this.ns,
      [process.execPath, await ipsecScript(), ...args,
        '--config', p.config, '--secrets', p.secrets, '--ipsecdir', p.ipsecdir, '--rundir', p.rundir, '--logfile', p.logfile],
      { allowFailure: true, timeoutMs },
    );
    if (process.env.NODESWAN_LAB_TRACE) {
      process.stderr.write(`[lab] ${this.ns}: ipsec ${args.join(' ')} -> ${result.exitCode} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
    return result;
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
  async status<T = StatusSnapshot>(conn?: string): Promise<T> {
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
