// The two responders under test, each started fresh in the benchmark's
// network namespace for one run and stopped after it:
// - nodeswan: the real `ipsec start --nofork` (the CLI bundle of
//   test/lab/nodeswan.ts) with a generated ipsec.conf / ipsec.secrets and
//   NODESWAN_KERNEL=memory, so its CHILD SAs (SAs and policies) are kept
//   in the daemon's own memory.
// - strongSwan's charon: test/lab/strongswan.ts (private /run, private
//   strongswan.conf and swanctl.conf, nothing from /etc), with the
//   kernel-libipsec plugin, which keeps CHILD SAs and policies in charon's
//   own memory (userland ESP) instead of the kernel.
// Both: same proposals, PSK, uniqueids=no / unique=no, one conn for every
// peer (right=%any), tunnel mode 2001:db8:2::/64 === (2001:db8:1::/48
// narrowed to each peer's /128), level-0 logging to a file.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { runIn } from '../../test/lab/netns.js';
import { ipsecScript } from '../../test/lab/nodeswan.js';
import { Charon, type SwanSection } from '../../test/lab/strongswan.js';

export interface Proposals {
  /** ipsec.conf spelling, e.g. aes128gcm16-prfsha256-x25519. */
  ike: string;
  esp: string;
}

export interface ResponderSetup {
  ns: string;
  address: string;
  psk: string;
  proposals: Proposals;
  /** nodeswan only: write a V8 CPU profile of the daemon into this folder. */
  cpuProfileDir?: string;
}

export interface Responder {
  readonly name: string;
  readonly pid: number;
  /** One line on how it is configured (for the report). */
  readonly describe: string;
  /** IKE SAs the daemon itself says it holds established. */
  establishedIkeSas(): Promise<number>;
  stop(): Promise<void>;
}

export const RESPONDER_ID = 'responder.bench';
export const LOCAL_TS = '2001:db8:2::/64';
export const REMOTE_TS = '2001:db8:1::/48';

export function nodeswanConf(setup: ResponderSetup): string {
  return (
    'config setup\n\tuniqueids=no\n\tcharondebug="any 0"\n\n' +
    `conn rw\n\tkeyexchange=ikev2\n\tleft=${setup.address}\n\tleftid=@${RESPONDER_ID}\n\tleftsubnet=${LOCAL_TS}\n` +
    `\tright=%any\n\trightsubnet=${REMOTE_TS}\n\tauthby=psk\n` +
    `\tike=${setup.proposals.ike}!\n\tesp=${setup.proposals.esp}!\n\tauto=add\n`
  );
}

/**
 * `ipsec start --nofork` (the CLI bundle test/lab/nodeswan.ts builds from
 * src/) as a child of ours, so node flags such as --cpu-prof reach the
 * daemon; ready when it writes "READY <pid>" on the readiness pipe (fd 3),
 * stopped with SIGTERM (its normal shutdown, which also writes the profile).
 */
export async function startNodeswan(setup: ResponderSetup): Promise<Responder> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeswan-bench-responder-'));
  const paths = {
    config: join(dir, 'ipsec.conf'),
    secrets: join(dir, 'ipsec.secrets'),
    ipsecdir: join(dir, 'ipsec.d'),
    rundir: join(dir, 'run'),
    logfile: join(dir, 'nodeswan.log'),
  };
  mkdirSync(paths.ipsecdir);
  mkdirSync(paths.rundir);
  writeFileSync(paths.config, nodeswanConf(setup));
  writeFileSync(paths.secrets, `: PSK "${setup.psk}"\n`, { mode: 0o600 });
  const pathArgs = Object.entries(paths).flatMap(([k, v]) => [`--${k}`, v]);
  const script = await ipsecScript();
  const flags = setup.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${setup.cpuProfileDir}`] : [];
  const log = openSync(paths.logfile, 'a');
  const child = spawn('ip', ['netns', 'exec', setup.ns, process.execPath, ...flags, script, 'start', '--nofork', ...pathArgs], {
    stdio: ['ignore', log, log, 'pipe'],
    env: { ...process.env, NODESWAN_KERNEL: 'memory', NODESWAN_READY_FD: '3' },
  });
  closeSync(log);
  const readLog = () => (existsSync(paths.logfile) ? readFileSync(paths.logfile, 'utf8') : '');
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise((resolve) => child.once('exit', resolve));
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = await new Promise<string>((resolve) => {
    let text = '';
    const pipe = child.stdio[3] as Readable;
    pipe.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    pipe.on('end', () => resolve(text));
    setTimeout(() => resolve(text), 60_000).unref();
  });
  const m = /^READY (\d+)/.exec(ready);
  if (!m) {
    const log = readLog();
    await cleanup();
    throw new Error(`nodeswan did not start (${ready.trim() || 'no readiness line'}):\n${log}`);
  }
  const ipsec = (args: string[]) => runIn(setup.ns, [process.execPath, script, ...args, ...pathArgs], { timeoutMs: 60_000 });
  return {
    name: 'nodeswan',
    pid: Number(m[1]),
    describe: 'nodeswan: ipsec start --nofork, NODESWAN_KERNEL=memory (CHILD SAs in the daemon), one process, one thread',
    async establishedIkeSas() {
      const { stdout } = await ipsec(['status', '--json']);
      const status = JSON.parse(stdout) as { ikeSas: Array<{ state: string }> };
      return status.ikeSas.filter((sa) => sa.state === 'ESTABLISHED').length;
    },
    stop: cleanup,
  };
}

/** The same IKE proposal in swanctl spelling (curve25519 -> x25519 are both accepted by charon). */
function charonConnections(setup: ResponderSetup): SwanSection {
  return {
    connections: {
      rw: {
        version: 2,
        unique: 'no',
        local_addrs: setup.address,
        proposals: setup.proposals.ike,
        local: { auth: 'psk', id: RESPONDER_ID },
        remote: { auth: 'psk' },
        children: {
          rw: { mode: 'tunnel', esp_proposals: setup.proposals.esp, local_ts: LOCAL_TS, remote_ts: REMOTE_TS },
        },
      },
    },
    secrets: { 'ike-any': { secret: JSON.stringify(setup.psk) } },
  };
}

/**
 * charon tuning, each for a reason a strongSwan admin of a big responder
 * would also have: DoS thresholds raised because every SA comes from one
 * generator address (block_threshold, cookie_threshold_ip) and the global
 * COOKIE threshold set to nodeswan's (1000 half-open); an IKE SA hash table
 * sized for 10,000 SAs (the default is one bucket). Worker threads:
 * charon's default, 16. kernel-libipsec routes every CHILD SA's peer
 * selector into its TUN device (table 220) whatever install_routes says:
 * work nodeswan's memory kernel does not do (it has no routes).
 */
export const charonSettings: SwanSection = {
  block_threshold: 100000,
  cookie_threshold: 1000,
  cookie_threshold_ip: 100000,
  ikesa_table_size: 32768,
  ikesa_table_segments: 16,
  filelog: {
    bench: { path: '/dev/null', default: 0 },
    // Charon.start waits for "spawning N worker threads" (dmn level 1) on stderr.
    stderr: { default: 1 },
  },
};

export const charonPlugins = [
  'random', 'nonce', 'openssl', 'kdf', 'pem', 'pkcs1', 'pkcs8', 'x509', 'pubkey',
  'kernel-libipsec', 'kernel-netlink', 'socket-default', 'vici',
];

export async function startCharon(setup: ResponderSetup): Promise<Responder> {
  // NODESWAN_BENCH_CHARON_LOG=FILE: charon's log at level 2 there (debugging a run; slows charon down).
  const debugLog = process.env['NODESWAN_BENCH_CHARON_LOG'];
  const settings = debugLog ? { ...charonSettings, filelog: { bench: { path: debugLog, default: 2 }, stderr: { default: 1 } } } : charonSettings;
  const charon = await Charon.start(setup.ns, { name: 'bench-responder', plugins: charonPlugins, charon: settings });
  try {
    await charon.load(charonConnections(setup));
    const pid = pidOfIn(setup.ns, 'charon');
    return {
      name: 'charon',
      pid,
      describe: `strongSwan charon ${charonVersion()}: kernel-libipsec (CHILD SAs in charon), 16 worker threads (default), tuned: ${Object.entries(charonSettings)
        .filter(([k]) => k !== 'filelog')
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`,
      async establishedIkeSas() {
        const { stdout } = await charon.swanctl(['--stats']);
        const m = /IKE_SAs:\s+(\d+) total,\s+(\d+) half-open/.exec(stdout);
        if (!m) throw new Error(`swanctl --stats: no IKE_SAs line in\n${stdout}`);
        return Number(m[1]) - Number(m[2]);
      },
      async stop() {
        await charon.stop();
      },
    };
  } catch (error) {
    await charon.stop();
    throw error;
  }
}

function charonVersion(): string {
  try {
    return /Version: (\S+)/.exec(readFileSync('/var/lib/dpkg/status', 'utf8').split('\n\n').find((p) => p.startsWith('Package: strongswan-charon\n')) ?? '')?.[1] ?? '?';
  } catch {
    return '?';
  }
}

/** The pid of the process called `comm` in network namespace `ns`. */
function pidOfIn(ns: string, comm: string): number {
  const inode = statSync(`/run/netns/${ns}`).ino;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      if (readlinkSync(`/proc/${entry}/ns/net`) === `net:[${inode}]`) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no ${comm} process in namespace ${ns}`);
}
