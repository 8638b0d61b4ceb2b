// How fast one box establishes tunnels and what each costs the responder,
// nodeswan and strongSwan's charon side by side, in the same run, on the
// same kernel (real xfrm, real ESP SAs: the kernel lab when the host has no
// ESP).
//
//   node --import tsx bench/tunnels.bench.ts [--count N]   (default N = 20)
//
// Each daemon pair (initiator in `left`, responder in `right`) gets N
// connections, each one IKE SA (PSK, X25519, AES-GCM-16 + PRF-HMAC-SHA2-256)
// with one tunnel-mode CHILD SA (ESP AES-GCM-16, 198.51.100.i/32 ===
// 203.0.113.i/32), distinct IDs per connection so the responder picks the
// connection by identity; uniqueids=no on both. The initiator starts all N at
// load (nodeswan auto=start / charon start_action=start). Measured: from the
// moment the initiator's configuration is loaded (`ipsec start` returned;
// `swanctl --load-all` returned) until the responder's kernel holds all 2N
// ESP SAs; the responder's CPU seconds (utime+stime from /proc) and its
// resident memory growth over the same interval, per tunnel.
// Under the lab's CPU emulation both daemons run ~25x slower than on the
// host: compare the ratio, not the absolute rates.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkEsp } from '../demo/esp-check.js';
import { runIn } from '../test/lab/netns.js';
import { NodeswanDaemon } from '../test/lab/nodeswan.js';
import { Charon, type SwanSection } from '../test/lab/strongswan.js';
import { createTopology, type Topology } from '../test/lab/topology.js';

const PSK = 'tunnel-benchmark-psk-not-a-real-secret';
const IKE = 'aes256gcm16-prfsha256-curve25519';
const ESP = 'aes256gcm16';

interface Figures {
  name: string;
  count: number;
  seconds: number;
  responderCpuSeconds: number;
  responderRssGrowthKiB: number;
}

function parseCount(argv: string[]): number {
  const i = argv.indexOf('--count');
  const count = i >= 0 ? Number(argv[i + 1]) : 20;
  if (!Number.isInteger(count) || count < 1 || count > 250) throw new Error('--count takes 1..250 (one /32 per tunnel in each /24)');
  return count;
}

function procStats(pid: number): { cpuSeconds: number; rssKiB: number } {
  // fields after the command name "(...)": utime is field 14, stime 15 (1-based)
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSeconds: ticks / 100, rssKiB: Number(rss) };
}

/** The pid of the process named `comm` whose network namespace is `ns`. */
function pidIn(ns: string, comm: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      const netns = readlinkSync(`/proc/${entry}/ns/net`);
      if (netns === nsLink(ns)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no ${comm} process in ${ns}`);
}

const nsLinks = new Map<string, string>();
function nsLink(ns: string): string {
  return nsLinks.get(ns) ?? '';
}
async function learnNsLink(ns: string): Promise<void> {
  const { stdout } = await runIn(ns, ['readlink', '/proc/self/ns/net']);
  nsLinks.set(ns, stdout.trim());
}

async function waitForSas(ns: string, wanted: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { stdout } = await runIn(ns, ['ip', 'xfrm', 'state', 'count']);
    const count = Number(/(\d+)/.exec(stdout)?.[1] ?? 0);
    if (count >= wanted) return;
    if (performance.now() > deadline) throw new Error(`${ns}: ${count} of ${wanted} SAs after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function addHostAddresses(topology: Topology, count: number): Promise<void> {
  // the /32 selectors' inside addresses (.1 exists already)
  for (const [host, net] of [[topology.left, '198.51.100'], [topology.right, '203.0.113']] as const) {
    const lines = [];
    for (let i = 2; i <= count; i++) lines.push(`address add ${net}.${i}/32 dev inside0`);
    if (lines.length) await runIn(host.ns, ['sh', '-c', `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} | ip -batch -`]);
  }
}

function nodeswanConf(side: 'left' | 'right', count: number, topology: Topology): string {
  const me = side === 'left' ? topology.left : topology.right;
  const peer = side === 'left' ? topology.right : topology.left;
  const conns = ['config setup\n\tuniqueids=no\n\tcharondebug="any 0"\n'];
  for (let i = 1; i <= count; i++) {
    const [myNet, peerNet] = side === 'left' ? ['198.51.100', '203.0.113'] : ['203.0.113', '198.51.100'];
    conns.push(
      `conn t${i}\n\tkeyexchange=ikev2\n\tleft=${me.outer4}\n\tleftid=@${side}${i}.bench\n\tleftsubnet=${myNet}.${i}/32\n` +
        `\tright=${peer.outer4}\n\trightid=@${side === 'left' ? 'right' : 'left'}${i}.bench\n\trightsubnet=${peerNet}.${i}/32\n` +
        `\tauthby=psk\n\tike=${IKE}\n\tesp=${ESP}\n\tauto=${side === 'left' ? 'start' : 'add'}\n`,
    );
  }
  return conns.join('\n');
}

function charonConf(side: 'left' | 'right', count: number, topology: Topology): SwanSection {
  const me = side === 'left' ? topology.left : topology.right;
  const peer = side === 'left' ? topology.right : topology.left;
  const other = side === 'left' ? 'right' : 'left';
  const [myNet, peerNet] = side === 'left' ? ['198.51.100', '203.0.113'] : ['203.0.113', '198.51.100'];
  const connections: SwanSection = {};
  const secrets: SwanSection = {};
  for (let i = 1; i <= count; i++) {
    connections[`t${i}`] = {
      version: 2,
      unique: 'never',
      local_addrs: me.outer4,
      remote_addrs: peer.outer4,
      proposals: 'aes256gcm16-prfsha256-x25519',
      local: { auth: 'psk', id: `${side}${i}.bench` },
      remote: { auth: 'psk', id: `${other}${i}.bench` },
      children: {
        [`t${i}`]: {
          mode: 'tunnel',
          esp_proposals: ESP,
          local_ts: `${myNet}.${i}/32`,
          remote_ts: `${peerNet}.${i}/32`,
          start_action: side === 'left' ? 'start' : 'none',
        },
      },
    };
    secrets[`ike-${i}`] = { id: `${other}${i}.bench`, secret: JSON.stringify(PSK) };
  }
  return { connections, secrets };
}

async function benchNodeswan(count: number): Promise<Figures> {
  const topology = await createTopology();
  try {
    await addHostAddresses(topology, count);
    await learnNsLink(topology.right.ns);
    const secrets = `: PSK "${PSK}"\n`;
    const responder = await NodeswanDaemon.start(topology.right.ns, { conf: nodeswanConf('right', count, topology), secrets }, { name: 'bench-right' });
    topology.onDestroy(() => responder.destroy());
    const pid = Number(readFileSync(`${responder.paths.rundir}/nodeswan.pid`, 'utf8'));
    const before = procStats(pid);
    const initiator = await NodeswanDaemon.start(topology.left.ns, { conf: nodeswanConf('left', count, topology), secrets }, { name: 'bench-left' });
    topology.onDestroy(() => initiator.destroy());
    const t0 = performance.now();
    await waitForSas(topology.right.ns, 2 * count, 60_000 + count * 5_000);
    const seconds = (performance.now() - t0) / 1000;
    const after = procStats(pid);
    return { name: 'nodeswan', count, seconds, responderCpuSeconds: after.cpuSeconds - before.cpuSeconds, responderRssGrowthKiB: after.rssKiB - before.rssKiB };
  } finally {
    await topology.destroy();
  }
}

async function benchCharon(count: number): Promise<Figures> {
  const topology = await createTopology();
  try {
    await addHostAddresses(topology, count);
    await learnNsLink(topology.right.ns);
    const quiet = { logLevels: { ike: 0, cfg: 0, knl: 0, enc: 0, net: 0 } };
    const responder = await Charon.start(topology.right.ns, { name: 'bench-right', ...quiet });
    topology.onDestroy(() => responder.stop());
    const initiator = await Charon.start(topology.left.ns, { name: 'bench-left', ...quiet });
    topology.onDestroy(() => initiator.stop());
    await responder.load(charonConf('right', count, topology));
    const pid = pidIn(topology.right.ns, 'charon');
    const before = procStats(pid);
    await initiator.load(charonConf('left', count, topology));
    const t0 = performance.now();
    await waitForSas(topology.right.ns, 2 * count, 60_000 + count * 5_000);
    const seconds = (performance.now() - t0) / 1000;
    const after = procStats(pid);
    return { name: 'strongSwan charon', count, seconds, responderCpuSeconds: after.cpuSeconds - before.cpuSeconds, responderRssGrowthKiB: after.rssKiB - before.rssKiB };
  } finally {
    await topology.destroy();
  }
}

function table(rows: Figures[]): string {
  const header = ['daemon', 'tunnels', 'all up in', 'tunnels/s', 'responder CPU', 'CPU ms/tunnel', 'responder RSS growth', 'KiB/tunnel'];
  const lines = rows.map((r) => [
    r.name,
    String(r.count),
    `${r.seconds.toFixed(2)} s`,
    (r.count / r.seconds).toFixed(2),
    `${r.responderCpuSeconds.toFixed(2)} s`,
    ((r.responderCpuSeconds * 1000) / r.count).toFixed(0),
    `${r.responderRssGrowthKiB} KiB`,
    (r.responderRssGrowthKiB / r.count).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<number> {
  const count = parseCount(process.argv.slice(2));
  const esp = await checkEsp();
  if (!esp.ok) {
    if (process.env['NODESWAN_LAB']) throw new Error(`the lab's kernel has no ESP: ${esp.reason}`);
    const { runInLab } = await import('../test/lab/run.js');
    process.stdout.write(`tunnels bench: this kernel has no ESP (${esp.reason}); running in the kernel lab\n`);
    const self = fileURLToPath(import.meta.url);
    const result = await runInLab({ command: [process.execPath, '--import', 'tsx', self, '--count', String(count)], timeoutSeconds: 1500 });
    return result.status;
  }
  process.stdout.write(`tunnels bench: ${count} tunnels (IKE SA + CHILD SA each, PSK, ${IKE}, ESP ${ESP}), responder measured\n`);
  const rows = [await benchNodeswan(count), await benchCharon(count)];
  process.stdout.write(`${table(rows)}\n`);
  const [ours, theirs] = rows as [Figures, Figures];
  process.stdout.write(
    `ratio nodeswan/charon: setup rate ${(ours.count / ours.seconds / (theirs.count / theirs.seconds)).toFixed(2)}x, ` +
      `responder CPU per tunnel ${(ours.responderCpuSeconds / Math.max(theirs.responderCpuSeconds, 0.01)).toFixed(2)}x, ` +
      `memory per tunnel ${ours.responderRssGrowthKiB > 0 && theirs.responderRssGrowthKiB > 0 ? `${(ours.responderRssGrowthKiB / theirs.responderRssGrowthKiB).toFixed(2)}x` : 'n/a (an RSS growth within noise: use a larger --count)'}\n` +
      `(${process.env['NODESWAN_LAB'] ? 'kernel lab: Debian 6.1 under QEMU TCG, one emulated vCPU' : 'host kernel'}; initiator and responder share the CPU)\n`,
  );
  return 0;
}

process.exitCode = await main();
