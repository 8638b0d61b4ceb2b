// The handshake benchmark's load generator (bench/handshakes/generator.ts)
// against a nodeswan responder in this process, over real UDP on loopback
// (ephemeral ports, no namespace, no root): every SA gets its CHILD SA, the
// responder ends up with one IKE SA, one SA pair and distinct policies per
// generator SA, and the generator counts, times and bounds what it does.
// The side-by-side run itself (namespace, daemons, charon) is
// `npm run bench:handshakes -- --quick`.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { connFromConfig } from '../../src/ike/conn-from-config.js';
import { IkeEngine } from '../../src/ike/engine.js';
import { MemoryBackend } from '../../src/kernel/memory/backend.js';
import { UdpTransport } from '../../src/net/udp-transport.js';
import { generatorConn, runLoad } from '../../bench/handshakes/generator.js';
import { nodeswanConf } from '../../bench/handshakes/responders.js';
import { formatComparison, type RunFigures } from '../../bench/handshakes/report.js';
import { percentile } from '../../bench/handshakes/stats.js';
import { pskSecrets } from '../exchange/harness.js';

const PSK = 'generator-test-psk-not-a-real-secret';
const PROPOSALS = { ike: 'aes128gcm16-prfsha256-x25519', esp: 'aes128gcm16' };

async function responder() {
  const text = nodeswanConf({ ns: '-', address: '127.0.0.1', psk: PSK, proposals: PROPOSALS });
  const loaded = loadConfig('bench-responder.conf', { text });
  expect(loaded.errors).toBe(0);
  const transport = new UdpTransport({ addresses: ['127.0.0.1'], ports: { ike: 0, natt: 0 } });
  await transport.start();
  const kernel = new MemoryBackend();
  const engine = new IkeEngine({ transport, kernel });
  await engine.loadConns(loaded.model!.conns.map(connFromConfig), pskSecrets(PSK));
  const port = transport.listening().find((e) => e.address === '127.0.0.1')!.port;
  return { engine, kernel, port, close: () => transport.close() };
}

describe('handshake load generator', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('opens N IKE SAs with one CHILD SA each, each with its own identity and inner selector', async () => {
    const r = await responder();
    cleanup = r.close;
    const result = await runLoad({ local: '127.0.0.1', remote: '127.0.0.1', remotePort: r.port, count: 12, window: 4, psk: PSK, ...PROPOSALS, timeoutMs: 15_000 });
    expect(result).toMatchObject({ established: 12, failed: 0, unfinished: 0, extraDatagrams: 0, received: 24, errors: [] });
    expect(result.latenciesMs).toHaveLength(12);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.cpuSeconds).toBeGreaterThan(0);

    await r.engine.settled();
    const sas = r.engine.status().ikeSas;
    expect(sas).toHaveLength(12);
    expect(new Set(sas.map((sa) => sa.remoteId)).size).toBe(12);
    const kernel = r.kernel.kernel;
    expect(kernel.sas.size).toBe(24);
    const inbound = [...kernel.policies.values()].filter((p) => p.dir === 'in').map((p) => p.selector.src);
    expect(new Set(inbound).size).toBe(12);
    expect(inbound).toContain('2001:db8:1::c/128');
  });

  it('stops at its deadline and reports what was left in flight', async () => {
    // Nobody answers on this port: every SA is still in flight when time runs out.
    const silent = new UdpTransport({ addresses: ['127.0.0.1'], ports: { ike: 0, natt: 0 } });
    await silent.start();
    cleanup = () => silent.close();
    const port = silent.listening()[0]!.port;
    const t0 = performance.now();
    const result = await runLoad({ local: '127.0.0.1', remote: '127.0.0.1', remotePort: port, count: 50, window: 5, psk: PSK, ...PROPOSALS, timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(result).toMatchObject({ established: 0, unfinished: 5 });
  });

  it('builds its conn through the ipsec.conf pipeline with exactly the benchmark proposals', () => {
    const conn = generatorConn({ local: '192.0.2.2', remote: '192.0.2.1', ...PROPOSALS });
    expect(conn.ikeProposals).toHaveLength(1);
    expect(conn.ikeProposals[0]!.transforms.map((t) => [t.type, t.id])).toEqual([[1, 20], [2, 5], [4, 31]]);
    expect(conn.childProposals).toHaveLength(1);
  });
});

describe('handshake report', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('prints both daemons and the nodeswan/charon ratio per metric', () => {
    const run = (daemon: string, cpu: number, rss: number): RunFigures => ({
      daemon, describe: daemon, responderPid: 1, count: 1000, established: 1000, failed: 0, unfinished: 0, held: 1000,
      seconds: 0.5, p50Ms: 10, p99Ms: 40, responderCpuSeconds: cpu, responderSystemSeconds: 0, responderRssGrowthBytes: rss, generatorCpuSeconds: 1, extraDatagrams: 0, errors: [],
    });
    const table = formatComparison([run('nodeswan', 0.3, 3_000_000), run('charon', 0.6, 6_000_000)]);
    const line = (label: string) => table.split('\n').find((l) => l.startsWith(label))!.trim().split(/\s{2,}/);
    expect(table.split('\n')[0]).toMatch(/^N = 1000\s+nodeswan\s+charon\s+nodeswan\/charon$/);
    expect(line('handshakes/s')).toEqual(['handshakes/s', '2000', '2000', '1.00x']);
    expect(line('responder CPU per handshake (µs)')).toEqual(['responder CPU per handshake (µs)', '300', '600', '0.50x']);
    expect(line('responder RSS growth per SA (bytes)')).toEqual(['responder RSS growth per SA (bytes)', '3000', '6000', '0.50x']);
  });
});
