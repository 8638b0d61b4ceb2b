// Kernel backend benchmark: xfrm policies installed + removed per second on
// this machine's kernel, with 10,000 policies in the table, deleting by
// index; and, where the kernel has ESP, SA pairs installed per second. Runs
// itself inside a private network namespace (created and removed here), so
// the host's SPD is never touched. Needs root.
//
//   npm run bench:kernel
//   node --import tsx test/lab/run.ts -- node --import tsx bench/kernel.bench.ts   (with ESP)
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NETLINK_XFRM, NLMSG_NOOP } from '../src/kernel/netlink/message.js';
import { NetlinkSocket } from '../src/kernel/netlink/socket.js';
import { XfrmBackend } from '../src/kernel/xfrm/backend.js';
import { KernelError } from '../src/kernel/backend.js';
import { measurePolicyChurn, measurePolicyLatency, measureSaPairs } from './kernel-measure.js';

const run = promisify(execFile);

/** Reference figures measured on this project's 2-core CI host. */
const REFERENCE_NETLINK_ROUND_TRIP_US = 23;
const REFERENCE_IP_XFRM_MS = 2.6;
const TARGET_PER_SECOND = 20_000;

async function bareRoundTripMicros(samples: number): Promise<number> {
  const socket = new NetlinkSocket(NETLINK_XFRM);
  try {
    for (let i = 0; i < 200; i++) await socket.request(NLMSG_NOOP, 0, Buffer.alloc(0), [], 'ack');
    const start = performance.now();
    for (let i = 0; i < samples; i++) await socket.request(NLMSG_NOOP, 0, Buffer.alloc(0), [], 'ack');
    return ((performance.now() - start) * 1000) / samples;
  } finally {
    socket.close();
  }
}

async function ipXfrmMillis(samples: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < samples; i++) {
    const sel = ['src', '198.51.100.250/32', 'dst', `203.0.113.${i & 0xff}/32`, 'dir', 'out'];
    await run('ip', ['xfrm', 'policy', 'add', ...sel, 'tmpl', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'mode', 'tunnel', 'reqid', '7']);
    await run('ip', ['xfrm', 'policy', 'delete', ...sel]);
  }
  return (performance.now() - start) / (samples * 2);
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function inNamespace(): Promise<void> {
  const backend = new XfrmBackend();
  try {
    const roundTrip = await bareRoundTripMicros(5000);
    const ipXfrm = await ipXfrmMillis(50);
    const latency = await measurePolicyLatency(backend, 2000);
    const churn = await measurePolicyChurn(backend, { background: 10_000, pairs: 50_000, concurrency: 128 });
    const left = (await backend.listPolicies()).length;
    // SA pairs need ESP: measured in the kernel lab, reported as missing here.
    let saRows: [string, string, string][];
    try {
      // ESP present at all? (AES-CBC/HMAC is the most widely built pair.)
      const probe = { src: '192.0.2.1', dst: '192.0.2.2', spi: 0x100, proto: 'esp' as const, mode: 'tunnel' as const, reqid: backend.reqidRange.base };
      await backend.addSa({ ...probe, algorithms: { crypt: { name: 'cbc(aes)', key: new Uint8Array(16) }, auth: { name: 'hmac(sha256)', key: new Uint8Array(32), truncBits: 128 } } });
      await backend.deleteSa(probe);
      const sa = await measureSaPairs(backend, { pairs: 2000, concurrency: 64 });
      saRows = [
        ['SA pairs installed (in+out ESP AES-GCM-16, 64 in flight)', `${fmt(sa.install.perSecond)} /s`, `${fmt(sa.install.cpuMicrosPerOp, 1)} µs CPU per pair`],
        ['SA pairs deleted', `${fmt(sa.remove.perSecond)} /s`, `${fmt(sa.remove.cpuMicrosPerOp, 1)} µs CPU per pair`],
      ];
    } catch (err) {
      if (!(err instanceof KernelError && err.code === 'KERNEL_NO_PROTOCOL')) throw err;
      saRows = [['SA pairs', 'not measured', `${err.message.replace(/^.*: /, '')} (run it in the kernel lab)`]];
    }
    const usPerPair = 1e6 / churn.perSecond;
    const rows: [string, string, string][] = [
      ['bare netlink round trip (NLMSG_NOOP + ack)', `${fmt(roundTrip, 1)} µs`, `reference ~${REFERENCE_NETLINK_ROUND_TRIP_US} µs`],
      ['`ip xfrm policy` from Node (per command)', `${fmt(ipXfrm, 2)} ms`, `reference ~${REFERENCE_IP_XFRM_MS} ms`],
      ['nodeswan add+delete, one at a time', `${fmt(latency.perSecond)} /s`, `${fmt(1e6 / latency.perSecond, 1)} µs per add+delete (wall)`],
      [
        'nodeswan add+delete by index, 10,000 in table, 128 in flight',
        `${fmt(churn.perSecond)} /s`,
        `${fmt(usPerPair, 1)} µs per add+delete (wall); target >= ${fmt(TARGET_PER_SECOND)} /s: ${churn.perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'}`,
      ],
      [
        '  CPU time per add+delete (user+sys, incl. kernel work)',
        `${fmt(churn.cpuMicrosPerOp, 1)} µs`,
        `= ${fmt(1e6 / churn.cpuMicrosPerOp)} /s on one otherwise idle core`,
      ],
      ['  (filling the table: policies added)', `${fmt(churn.backgroundFillPerSecond)} /s`, ''],
      ['  same via `ip xfrm` (2 commands per add+delete)', `${fmt(1000 / (2 * ipXfrm))} /s`, `x${fmt(churn.perSecond / (1000 / (2 * ipXfrm)))} slower than nodeswan`],
      ...saRows,
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    const load = loadavg()[0]!.toFixed(2);
    process.stdout.write(`kernel backend benchmark (${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}, private netns, ${cpus().length} CPUs, load ${load})\n`);
    for (const [a, b, c] of rows) process.stdout.write(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}\n`);
    if (left !== 0) throw new Error(`${left} policies left behind`);
  } finally {
    await backend.flush();
    await backend.close();
  }
}

const guard = process.env.NODESWAN_BENCH_NETNS;
if (guard) {
  const actual = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (actual !== guard) throw new Error(`refusing to benchmark outside the private namespace (in '${actual}')`);
  await inNamespace();
} else {
  const ns = `nodeswan-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, NODESWAN_BENCH_NETNS: ns },
    });
    process.exitCode = r.status ?? 1;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}
