// The Daemon lifecycle in-process, over the in-memory network: what it
// takes and gives back, reload semantics, shutdown order.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { ConfigLoadError, type LoadedConfig } from '../../src/daemon/config-source.js';
import { Daemon, type DaemonDeps } from '../../src/daemon/daemon.js';
import type { Engine } from '../../src/daemon/engine.js';
import { resolvePaths } from '../../src/daemon/paths.js';
import { createMemoryLogger } from '../../src/log/logger.js';
import { VirtualNetwork } from '../../src/net/memory-transport.js';
import { TestEngine } from './fixtures/test-engine.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-daemon-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LOCAL = { address: '192.0.2.1', port: 500 };

function config(names: string[], extra: Partial<LoadedConfig> = {}): LoadedConfig {
  return {
    config: { conns: names.map((name) => ({ name, local: 'moon', remote: '192.0.2.9' })) },
    secrets: { psk: 'not-a-secret-object' },
    warnings: [],
    ...extra,
  };
}

function setup(overrides: Partial<DaemonDeps> = {}) {
  const network = new VirtualNetwork();
  const { logger, lines } = createMemoryLogger();
  const notified: string[] = [];
  const events: string[] = [];
  let next: LoadedConfig | Error = config(['office']);
  let engine: TestEngine | undefined;
  const deps: DaemonDeps = {
    paths: resolvePaths({ rundir: join(dir, 'run'), config: join(dir, 'conf') }, {}),
    log: logger,
    version: '9.9.9',
    loadConfig: async () => {
      if (next instanceof Error) throw next;
      return next;
    },
    createTransport: () => network.endpoint([LOCAL, { ...LOCAL, port: 4500 }]),
    createEngine: ({ transport, log }) => {
      engine = new TestEngine(transport, log);
      const shutdown = engine.shutdown.bind(engine);
      engine.shutdown = async () => {
        events.push('engine.shutdown');
        await shutdown();
      };
      return engine;
    },
    notify: async (...a) => void notified.push(a.join(' ')),
    onStopped: async () => void events.push('onStopped'),
    ...overrides,
  };
  const daemon = new Daemon(deps);
  return {
    daemon,
    deps,
    network,
    lines,
    notified,
    events,
    setNext: (c: LoadedConfig | Error) => (next = c),
    engine: () => engine!,
  };
}

describe('Daemon', () => {
  it('starts, reports ready, serves status with its own sockets and drop counters', async () => {
    const t = setup();
    await t.daemon.start();
    expect(t.notified).toEqual(['READY=1 STATUS=listening on 2 sockets']);
    expect(existsSync(t.deps.paths.pidFile)).toBe(true);
    const peer = t.network.endpoint([{ address: '198.51.100.9', port: 500 }]);
    await peer.start();
    await peer.send({ local: { address: '198.51.100.9', port: 500 }, remote: LOCAL, bytes: Buffer.from('x') });
    await t.network.idle();
    const s = t.daemon.status();
    expect(s.daemon).toMatchObject({ pid: process.pid, version: '9.9.9', listening: ['192.0.2.1[500]', '192.0.2.1[4500]'] });
    expect(s.drops['test-datagrams-seen']).toBe(1);
    await t.daemon.shutdown('test');
  });

  it('socket counters appear once under net-, even when the engine copied them too', async () => {
    const t = setup();
    await t.daemon.start();
    const engine = t.engine();
    const status = engine.status.bind(engine);
    engine.status = (conn) => ({ ...status(conn), drops: { 'net-receiver-error': 1, 'bad-icv': 2 } });
    t.network.inject({ local: { address: '198.51.100.9', port: 500 }, remote: LOCAL, bytes: Buffer.from('x') });
    await t.network.idle();
    // Make the transport count one receiver error.
    (t.daemon as unknown as { transport: { onDatagram(h: () => void): void } }).transport.onDatagram(() => {
      throw new Error('boom');
    });
    t.network.inject({ local: { address: '198.51.100.9', port: 500 }, remote: LOCAL, bytes: Buffer.from('y') });
    await t.network.idle();
    expect(t.daemon.status().drops).toEqual({ 'net-receiver-error': 1, 'bad-icv': 2 });
    await t.daemon.shutdown('test');
  });

  // Regression: `ipsec status --json` showed 0 packets for a CHILD SA whose
  // kernel SA had counted 6, because the control handler called the
  // engine's synchronous status(), which reports the last refreshed counters.
  it('ipsec status refreshes kernel counters through an engine that reads them', async () => {
    const t = setup();
    await t.daemon.start();
    const engine: Engine = t.engine();
    const status = engine.status.bind(engine);
    let kernelReads = 0;
    engine.status = (conn) => ({ ...status(conn), drops: { 'kernel-reads': kernelReads } });
    engine.statusWithCounters = async (conn) => {
      kernelReads++;
      return engine.status(conn);
    };
    const client = new ControlClient({ path: t.deps.paths.socketPath });
    expect((await client.request('status', {})).drops['kernel-reads']).toBe(1);
    expect((await client.request('status', { conn: 'office' })).drops['kernel-reads']).toBe(2);
    await t.daemon.shutdown('test');
  });

  it('refuses a broken reload and keeps the running config; serializes reloads', async () => {
    const t = setup();
    await t.daemon.start();
    t.setNext(new ConfigLoadError('conf has 1 error', ['conf:3:5: error: bad']));
    await expect(t.daemon.reload()).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: ['conf:3:5: error: bad'] });
    expect(t.daemon.status().conns.map((c) => c.name)).toEqual(['office']);
    expect(t.lines.join('\n')).toMatch(/0\[CFG\] reload refused, keeping the running configuration reason="conf has 1 error"\n0\[CFG\] conf:3:5: error: bad/);

    t.setNext(config(['office', 'branch']));
    const [a, b] = await Promise.all([t.daemon.reload(), t.daemon.reload()]);
    expect(a.report.added).toEqual(['branch']);
    expect(b.report.unchanged).toEqual(['office', 'branch']); // ran after a, not alongside
    await t.daemon.shutdown('test');
  });

  it('shuts down once, in order, releasing the pid file and socket', async () => {
    const t = setup();
    await t.daemon.start();
    const client = new ControlClient({ path: t.deps.paths.socketPath });
    expect((await client.request('ping', {})).version).toBe('9.9.9');
    await Promise.all([t.daemon.shutdown('a'), t.daemon.shutdown('b')]);
    await t.daemon.stopped;
    expect(t.events).toEqual(['engine.shutdown', 'onStopped']);
    expect(t.notified.at(-1)).toBe('STOPPING=1');
    expect(existsSync(t.deps.paths.pidFile)).toBe(false);
    expect(existsSync(t.deps.paths.socketPath)).toBe(false);
    await expect(client.request('ping', {})).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(t.daemon.reload()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('a failed start gives back everything it took', async () => {
    const network = new VirtualNetwork();
    const t = setup({
      createTransport: () => network.endpoint([LOCAL]),
      createEngine: (): Engine => {
        throw new Error('engine exploded');
      },
    });
    await expect(t.daemon.start()).rejects.toThrow('engine exploded');
    expect(existsSync(t.deps.paths.pidFile)).toBe(false);
    expect(existsSync(t.deps.paths.socketPath)).toBe(false);
    expect(t.events).toEqual(['onStopped']);
    expect(t.notified).toEqual([]);
    // The port is free again.
    const again = network.endpoint([LOCAL]);
    await again.start();
  });

  it('answers "starting" while the config loads, then serves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup();
    const load = t.deps.loadConfig;
    let loading!: () => void;
    const configRequested = new Promise<void>((r) => (loading = r));
    t.deps.loadConfig = async (paths) => {
      loading();
      await gate;
      return load(paths);
    };
    const started = t.daemon.start();
    const client = new ControlClient({ path: t.deps.paths.socketPath });
    // The socket is up before the config is read.
    await configRequested;
    expect((await client.request('ping', {})).pid).toBe(process.pid);
    await expect(client.request('status', {})).rejects.toMatchObject({ code: 'STARTING' });
    await expect(client.request('shutdown', {})).rejects.toMatchObject({ code: 'STARTING' });
    release();
    await started;
    expect((await client.request('status', {})).conns.map((c) => c.name)).toEqual(['office']);
    await t.daemon.shutdown('test');
  });

  it('a start that fails after the engine exists shuts the engine down', async () => {
    const t = setup();
    const create = t.deps.createEngine;
    t.deps.createEngine = async (ctx) => {
      const engine = await create(ctx);
      engine.load = async () => {
        throw new Error('load failed');
      };
      return engine;
    };
    await expect(t.daemon.start()).rejects.toThrow('load failed');
    expect(t.events).toEqual(['engine.shutdown', 'onStopped']);
    expect(existsSync(t.deps.paths.socketPath)).toBe(false);
  });

  it('engine errors on up/down reach the client with their code', async () => {
    const t = setup();
    await t.daemon.start();
    const client = new ControlClient({ path: t.deps.paths.socketPath });
    await expect(client.request('down', { conn: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_CONN' });
    expect(await client.request('up', { conn: 'office' })).toMatchObject({ ok: true });
    t.engine().up = async () => {
      throw new Error('kernel said no');
    };
    await expect(client.request('up', { conn: 'office' })).rejects.toMatchObject({ code: 'UP_FAILED', message: 'kernel said no' });
    await t.daemon.shutdown('test');
  });
});
