// strongSwan (charon + swanctl from apt) as a peer inside a lab namespace.
//
// Each Charon gets its own folder (strongswan.conf, swanctl.conf with the
// x509/private/... folders next to it, logs, the vici socket) and runs as
//   ip netns exec NS unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec charon'
// so that two charons on one machine do not share /run (pid file) and each
// talks only through its namespace. The plugin list is explicit, so nothing
// from /etc/strongswan.d leaks in. Configuration is written by the helper
// from plain objects (swanctl.conf syntax), loaded with --load-all, and SAs
// are read back with `swanctl --list-sas --pretty`, parsed into objects.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, spawnIn, stop, waitForLine, type RunResult } from './netns.js';

export const charonBinary = '/usr/lib/ipsec/charon';

/** Plugins a PSK or certificate peer needs; nothing implicit is loaded. */
export const defaultPlugins = [
  'random', 'nonce', 'openssl', 'kdf', 'pem', 'pkcs1', 'pkcs8', 'x509', 'pubkey', 'constraints',
  'kernel-netlink', 'socket-default', 'vici', 'updown',
];

/** A swanctl.conf / strongswan.conf section tree: strings, numbers, lists or nested sections. */
export type SwanValue = string | number | boolean | string[] | SwanSection;
export interface SwanSection {
  [key: string]: SwanValue;
}

export interface CharonOptions {
  /** Label for logs and the folder name (e.g. "left"). */
  name?: string;
  plugins?: string[];
  /** Extra settings merged into the `charon { }` section. */
  charon?: SwanSection;
  /** File log levels (default ike 2, cfg 2, knl 2, enc 1, net 1). */
  logLevels?: Record<string, number>;
}

export interface SwanctlFiles {
  /** Relative to the swanctl folder, e.g. { 'x509/left.pem': pem, 'private/left.pem': key }. */
  [relativePath: string]: string;
}

/** One IKE SA as `swanctl --list-sas` reports it (strings as given). */
export interface SwanIkeSa {
  name: string;
  fields: Record<string, string>;
  children: SwanChildSa[];
}

export interface SwanChildSa {
  name: string;
  fields: Record<string, string>;
  localTs: string[];
  remoteTs: string[];
}

export class Charon {
  private stderr = '';
  private swanctlLoaded = false;

  private constructor(
    readonly ns: string,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', () => {});
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  /** Starts charon in `ns` and resolves once it has loaded its plugins and is serving vici. */
  static async start(ns: string, options: CharonOptions = {}): Promise<Charon> {
    const dir = mkdtempSync(join(tmpdir(), `nodeswan-charon-${options.name ?? ns}-`));
    for (const sub of ['x509', 'x509ca', 'x509aa', 'x509ocsp', 'x509crl', 'x509ac', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12']) {
      mkdirSync(join(dir, 'swanctl', sub), { recursive: true });
    }
    const levels = { ike: 2, cfg: 2, knl: 2, enc: 1, net: 1, ...options.logLevels };
    const conf: SwanSection = {
      charon: {
        load: (options.plugins ?? defaultPlugins).join(' '),
        // Keep retries short: a failing test should fail in seconds.
        retransmit_tries: 3,
        retransmit_timeout: 2,
        retransmit_base: 1.4,
        plugins: { vici: { socket: `unix://${join(dir, 'charon.vici')}` } },
        filelog: {
          lab: { path: join(dir, 'charon.log'), time_format: '%T', default: 1, ...levels, flush_line: 'yes' },
          stderr: { default: 1, ike: 1, cfg: 1 },
        },
        ...options.charon,
      },
      swanctl: { socket: `unix://${join(dir, 'charon.vici')}` },
    };
    writeFileSync(join(dir, 'strongswan.conf'), formatSwanConf(conf));
    const env = { ...process.env, STRONGSWAN_CONF: join(dir, 'strongswan.conf') };
    const child = spawnIn(
      ns,
      ['unshare', '-m', 'sh', '-c', `busybox mount -t tmpfs tmpfs /run && exec ${charonBinary}`],
      env,
    );
    child.stdin?.end();
    const charon = new Charon(ns, dir, child);
    // vici is a plugin: by the time the workers spawn, its socket listens.
    await waitForLine(child, 'stderr', /spawning \d+ worker threads/, 30_000).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`charon in ${ns} did not start: ${(error as Error).message}\n${charon.log()}`);
    });
    return charon;
  }

  get viciUri(): string {
    return `unix://${join(this.dir, 'charon.vici')}`;
  }

  /** Runs swanctl against this charon. */
  swanctl(args: string[], allowFailure = false): Promise<RunResult> {
    return run(['swanctl', ...args, '--uri', this.viciUri], {
      allowFailure,
      env: { ...process.env, STRONGSWAN_CONF: join(this.dir, 'strongswan.conf') },
      timeoutMs: 60_000,
    });
  }

  /** Writes swanctl.conf (and certificates/keys next to it) and loads everything. */
  async load(config: SwanSection, files: SwanctlFiles = {}): Promise<RunResult> {
    for (const [path, content] of Object.entries(files)) {
      const target = join(this.dir, 'swanctl', path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content, { mode: 0o600 });
    }
    const file = join(this.dir, 'swanctl', 'swanctl.conf');
    writeFileSync(file, formatSwanConf(config), { mode: 0o600 });
    const result = await this.swanctl(['--load-all', '--noprompt', '--file', file]);
    this.swanctlLoaded = true;
    return result;
  }

  /** Starts a CHILD_SA (and its IKE SA); throws with swanctl's output and the log if it fails. */
  async initiate(child: string, options: { ike?: string; timeoutSeconds?: number } = {}): Promise<RunResult> {
    if (!this.swanctlLoaded) throw new Error('Charon.initiate: load() a configuration first');
    const args = ['--initiate', '--child', child, '--timeout', String(options.timeoutSeconds ?? 30)];
    if (options.ike) args.push('--ike', options.ike);
    const result = await this.swanctl(args, true);
    if (result.exitCode !== 0) {
      throw new Error(`swanctl --initiate --child ${child} failed in ${this.ns}:\n${result.stdout}${result.stderr}\n--- charon log ---\n${this.fileLog()}`);
    }
    return result;
  }

  /** Terminates an IKE SA by connection name. */
  async terminateIke(ike: string): Promise<RunResult> {
    return this.swanctl(['--terminate', '--ike', ike, '--timeout', '10'], true);
  }

  async listSas(): Promise<SwanIkeSa[]> {
    const { stdout } = await this.swanctl(['--list-sas', '--pretty']);
    return parseListSas(stdout);
  }

  /** What charon printed on stderr (level 1). */
  log(): string {
    return this.stderr;
  }

  /** The detailed file log (ike/cfg/knl level 2). */
  fileLog(): string {
    try {
      return readFileSync(join(this.dir, 'charon.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGKILL: charon dies without a word to its peers; its kernel state stays. Resolves once it is gone. */
  async kill(): Promise<void> {
    const gone = new Promise<void>((resolve) => (this.child.exitCode !== null || this.child.signalCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    this.child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    await stop(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Serializes a section tree in the strongswan.conf / swanctl.conf syntax. */
export function formatSwanConf(section: SwanSection, indent = ''): string {
  let out = '';
  for (const [key, value] of Object.entries(section)) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      out += `${indent}${key} {\n${formatSwanConf(value, indent + '  ')}${indent}}\n`;
    } else {
      const text = Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
      if (/[\n{}]/.test(text)) throw new Error(`formatSwanConf: value of ${key} contains a newline or brace`);
      out += `${indent}${key} = ${/[\s#"]/.test(text) && !/^".*"$/.test(text) ? JSON.stringify(text) : text}\n`;
    }
  }
  return out;
}

// `swanctl --list-sas --pretty` prints one vici message per block, one item
// per line (values may contain spaces, e.g. DN identities), e.g.
//   list-sa event {
//     host {
//       state = ESTABLISHED
//       child-sas {
//         host-1 {
//           spi-in = c840f661
//           local-ts = [
//             192.0.2.1/32
//           ]
// and a final "list-sas reply {" ... "}".
export type ViciNode = { [key: string]: string | string[] | ViciNode };

/** Parses swanctl's --pretty output into one tree per message, keyed by the message's name. */
export function parsePrettyVici(output: string): Array<{ name: string; body: ViciNode }> {
  const messages: Array<{ name: string; body: ViciNode }> = [];
  const stack: ViciNode[] = [];
  let list: string[] | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (list) {
      if (line === ']') list = undefined;
      else list.push(line);
      continue;
    }
    const current = stack[stack.length - 1];
    if (line === '}') {
      stack.pop();
      continue;
    }
    const section = /^(.*\S)\s*\{$/.exec(line);
    if (section) {
      const node: ViciNode = {};
      if (current) current[section[1]!] = node;
      else messages.push({ name: section[1]!, body: node });
      stack.push(node);
      continue;
    }
    const item = /^([^=\s]+)\s*=\s?(.*)$/.exec(line);
    if (!item || !current) throw new Error(`swanctl output: cannot parse line "${line}"`);
    if (item[2] === '[') current[item[1]!] = list = [];
    else current[item[1]!] = item[2]!;
  }
  return messages;
}

export function parseListSas(output: string): SwanIkeSa[] {
  const sas: SwanIkeSa[] = [];
  for (const message of parsePrettyVici(output)) {
    if (message.name !== 'list-sa event') continue;
    for (const [name, value] of Object.entries(message.body)) {
      if (typeof value !== 'object' || Array.isArray(value)) continue;
      const fields: Record<string, string> = {};
      const children: SwanChildSa[] = [];
      for (const [key, v] of Object.entries(value)) {
        if (typeof v === 'string') fields[key] = v;
        else if (key === 'child-sas' && !Array.isArray(v)) {
          for (const [childName, c] of Object.entries(v)) {
            if (typeof c !== 'object' || Array.isArray(c)) continue;
            const childFields: Record<string, string> = {};
            for (const [ck, cv] of Object.entries(c)) if (typeof cv === 'string') childFields[ck] = cv;
            children.push({
              name: childName,
              fields: childFields,
              localTs: Array.isArray(c['local-ts']) ? c['local-ts'] : [],
              remoteTs: Array.isArray(c['remote-ts']) ? c['remote-ts'] : [],
            });
          }
        }
      }
      sas.push({ name, fields, children });
    }
  }
  return sas;
}

export interface PskHostToHostOptions {
  name?: string;
  local: string;
  remote: string;
  psk: string;
  /** IKE proposal (default aes256gcm16-prfsha384-ecp384). */
  proposals?: string;
  /** ESP proposal (default aes256gcm16). */
  espProposals?: string;
  mode?: 'transport' | 'tunnel';
  /** Traffic selectors; default the two host addresses. */
  localTs?: string;
  remoteTs?: string;
  /** Child start action on the responder side, e.g. 'none' | 'trap' | 'start'. */
  startAction?: string;
}

/** swanctl.conf for one PSK connection between two addresses (IDs are the addresses). */
export function pskHostToHost(options: PskHostToHostOptions): SwanSection {
  const name = options.name ?? 'host';
  return {
    connections: {
      [name]: {
        version: 2,
        local_addrs: options.local,
        remote_addrs: options.remote,
        proposals: options.proposals ?? 'aes256gcm16-prfsha384-ecp384',
        local: { auth: 'psk', id: options.local },
        remote: { auth: 'psk', id: options.remote },
        children: {
          [name]: {
            mode: options.mode ?? 'transport',
            esp_proposals: options.espProposals ?? 'aes256gcm16',
            local_ts: options.localTs ?? options.local,
            remote_ts: options.remoteTs ?? options.remote,
            start_action: options.startAction ?? 'none',
          },
        },
      },
    },
    secrets: {
      [`ike-${name}`]: { id: options.remote, secret: JSON.stringify(options.psk) },
    },
  };
}
