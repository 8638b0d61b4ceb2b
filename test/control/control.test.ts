import { chownSync, lstatSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { ControlError } from '../../src/control/protocol.js';
import { prepareRunDir, resolveGroup } from '../../src/control/secure-path.js';
import { type ControlHandlers, ControlServer } from '../../src/control/server.js';
import type { StatusSnapshot } from '../../src/daemon/engine.js';

let dir: string;
let servers: ControlServer[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-ctl-'));
  servers = [];
});
afterEach(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const snapshot: StatusSnapshot = {
  daemon: { pid: 1, startedAt: '2026-01-01T00:00:00.000Z', version: '0.1.0', listening: [] },
  conns: [],
  ikeSas: [],
  drops: {},
};

function handlers(overrides: Partial<ControlHandlers> = {}): ControlHandlers {
  return {
    ping: async () => ({ pid: process.pid, version: '0.1.0', startedAt: 'now', protocol: 1 }),
    status: async () => snapshot,
    up: async ({ conn }) => (conn === 'bad' ? { ok: false, error: 'no proposal chosen' } : { ok: true }),
    down: async ({ conn }) => {
      if (conn === 'nope') throw new ControlError('UNKNOWN_CONN', `no connection named '${conn}'`);
      return { conn };
    },
    rekey: async ({ conn, ike }) => ({ conn, ike: ike === true, started: 1 }),
    route: async ({ conn }) => (conn === 'bad' ? { ok: false, error: "conn 'bad' has right=%any" } : { ok: true }),
    unroute: async ({ conn }) => ({ ok: false, error: `conn '${conn}' is not routed` }),
    reload: async () => {
      throw new ControlError('CONFIG_INVALID', 'config has 2 errors', ['a:1:1: x', 'a:2:1: y']);
    },
    rereadsecrets: async () => ({ secrets: 0, warnings: [] }),
    shutdown: async () => ({ pid: process.pid }),
    ...overrides,
  };
}

async function start(h: ControlHandlers = handlers(), path = join(dir, 'ctl')): Promise<{ path: string; client: ControlClient }> {
  const server = new ControlServer({ path, handlers: h });
  await server.listen();
  servers.push(server);
  return { path, client: new ControlClient({ path }) };
}

function rawExchange(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let got = '';
    c.on('connect', () => c.write(text));
    c.on('data', (d) => {
      got += d.toString();
      if (got.endsWith('\n')) {
        c.destroy();
        resolve(got);
      }
    });
    c.on('error', reject);
  });
}

describe('control socket', () => {
  it('serves typed requests and carries structured errors', async () => {
    const { client } = await start();
    expect((await client.request('ping', {})).pid).toBe(process.pid);
    expect(await client.request('status', {})).toEqual(snapshot);
    expect(await client.request('up', { conn: 'bad' })).toEqual({ ok: false, error: 'no proposal chosen' });
    await expect(client.request('down', { conn: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_CONN', message: "no connection named 'nope'" });
    await expect(client.request('reload', {})).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: ['a:1:1: x', 'a:2:1: y'] });
    expect(await client.request('route', { conn: 'office' })).toEqual({ ok: true });
    expect(await client.request('unroute', { conn: 'office' })).toEqual({ ok: false, error: "conn 'office' is not routed" });
  });

  it('streams progress lines before the answer', async () => {
    const { client } = await start(
      handlers({
        up: async ({ conn }, ctx) => {
          ctx.progress(`${conn}: sending IKE_SA_INIT`);
          ctx.progress(`${conn}: established`);
          return { ok: true };
        },
      }),
    );
    const seen: string[] = [];
    expect(await client.request('up', { conn: 'office' }, (l) => seen.push(l))).toEqual({ ok: true });
    expect(seen).toEqual(['office: sending IKE_SA_INIT', 'office: established']);
  });

  it('creates the socket with mode 0600, owned by us', async () => {
    const { path } = await start();
    const st = lstatSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(process.geteuid!());
  });

  it('restores the umask after binding', async () => {
    const before = process.umask();
    await start();
    expect(process.umask()).toBe(before);
  });

  it('answers a request of another protocol version with VERSION_MISMATCH', async () => {
    const { path } = await start();
    const reply = JSON.parse(await rawExchange(path, '{"v":2,"id":5,"cmd":"ping","args":{}}\n'));
    expect(reply).toMatchObject({ v: 1, id: 5, ok: false, error: { code: 'VERSION_MISMATCH' } });
    expect(reply.error.message).toMatch(/version 2 is not supported by this daemon \(it speaks version 1\)/);
  });

  it('the client reports a daemon of another version clearly', async () => {
    const path = join(dir, 'future');
    const fake = createServer((s) => {
      s.on('error', () => {});
      s.on('data', () => s.end('{"v":2,"id":1,"ok":true,"result":{}}\n'));
    });
    await new Promise<void>((r) => fake.listen(path, r));
    try {
      await expect(new ControlClient({ path }).request('ping', {})).rejects.toThrow(
        /daemon speaks control protocol version 2, this ipsec command speaks 1/,
      );
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });

  it('answers garbage, unknown commands and missing arguments without dying', async () => {
    const { path, client } = await start();
    const replies = (await rawExchange(path, 'not json\n')).trim();
    expect(JSON.parse(replies).error.code).toBe('BAD_REQUEST');
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":2,"cmd":"format-disk","args":{}}\n')).error).toMatchObject({
      code: 'UNKNOWN_COMMAND',
    });
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":3,"cmd":"up","args":{}}\n')).error.message).toMatch(/needs args.conn/);
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":4,"cmd":"rekey","args":{}}\n')).error.message).toMatch(/'rekey' needs args.conn/);
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":5,"cmd":"route","args":{}}\n')).error.message).toMatch(/'route' needs args.conn/);
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":6,"cmd":"unroute","args":{"conn":""}}\n')).error.message).toMatch(/'unroute' needs args.conn/);
    expect(JSON.parse(await rawExchange(path, '{"v":1,"id":5,"cmd":"rekey","args":{"conn":"a","ike":"yes"}}\n')).error.message).toMatch(/args.ike must be a boolean/);
    expect(await client.request('rekey', { conn: 'office', ike: true })).toEqual({ conn: 'office', ike: true, started: 1 });
    expect((await client.request('ping', {})).protocol).toBe(1);
  });

  it('answers pipelined requests on one connection in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { path } = await start(
      handlers({
        up: async ({ conn }) => {
          await gate;
          return { ok: true, error: conn };
        },
      }),
    );
    const lines = await new Promise<string[]>((resolve) => {
      const c = createConnection(path);
      c.on('error', () => {});
      let got = '';
      c.on('connect', () => {
        c.write('{"v":1,"id":1,"cmd":"up","args":{"conn":"slow"}}\n{"v":1,"id":2,"cmd":"ping","args":{}}\n');
        release();
      });
      c.on('data', (d) => {
        got += d.toString();
        const ls = got.trim().split('\n');
        if (ls.length === 2 && got.endsWith('\n')) {
          c.destroy();
          resolve(ls);
        }
      });
    });
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([1, 2]);
  });

  it('cuts off an endless request line', async () => {
    const { path, client } = await start();
    const reply = JSON.parse(await rawExchange(path, 'x'.repeat(70_000)));
    expect(reply.error.code).toBe('REQUEST_TOO_LARGE');
    expect((await client.request('ping', {})).protocol).toBe(1);
  });

  it('handler crashes become INTERNAL errors', async () => {
    const { client } = await start(handlers({ status: async () => { throw new TypeError('boom'); } }));
    await expect(client.request('status', {})).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });

  it('says "not running" when there is no daemon and "root-only" is reported as such', async () => {
    const client = new ControlClient({ path: join(dir, 'missing.ctl') });
    await expect(client.request('ping', {})).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(client.request('ping', {})).rejects.toThrow(/nodeswan is not running/);
  });

  it('refuses a symlink, a regular file and a foreign socket at the socket path', async () => {
    const target = join(dir, 'target');
    writeFileSync(target, '');
    symlinkSync(target, join(dir, 'link.ctl'));
    await expect(start(handlers(), join(dir, 'link.ctl'))).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(start(handlers(), target)).rejects.toThrow(/exists and is not a socket/);

    const foreign = join(dir, 'foreign.ctl');
    const other = createServer();
    await new Promise<void>((r) => other.listen(foreign, r));
    chownSync(foreign, 65534, 65534);
    try {
      await expect(start(handlers(), foreign)).rejects.toThrow(/owned by uid 65534/);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  it('refuses to start over a live socket and replaces a stale one', async () => {
    const { path } = await start();
    await expect(start(handlers(), path)).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });

    // A stale socket: left behind by a listener that was SIGKILLed.
    const stalePath = join(dir, 'stale.ctl');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stalePath)}, () => console.log('ready'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((r) => child.stdout!.once('data', () => r()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    expect(lstatSync(stalePath).isSocket()).toBe(true);
    const { client } = await start(handlers(), stalePath);
    expect((await client.request('ping', {})).protocol).toBe(1);
  });

  it('shutdownAndWait resolves only when the daemon side closes', async () => {
    const { path } = await start();
    // The server keeps the connection open after answering; closing every
    // connection (as process exit does) ends the wait.
    const server = servers[0]!;
    const done = new ControlClient({ path }).shutdownAndWait();
    let finished = false;
    void done.then(() => (finished = true));
    await new ControlClient({ path }).request('ping', {});
    expect(finished).toBe(false);
    (server as unknown as { connections: Set<import('node:net').Socket> }).connections.forEach((s) => s.destroy());
    await done;
    expect(finished).toBe(true);
  });
});

describe('control group', () => {
  it('resolves names from the group file and numbers as is; unknown names are refused', () => {
    const file = join(dir, 'group');
    writeFileSync(file, 'root:x:0:\nipsecadm:x:4711:alice,bob\n');
    expect(resolveGroup('ipsecadm', file)).toBe(4711);
    expect(resolveGroup('123', file)).toBe(123);
    expect(() => resolveGroup('wheel', file)).toThrow(`control group 'wheel' does not exist (not in ${file})`);
  });
});

describe('run directory', () => {
  it('creates a missing run dir 0700 and accepts our own', () => {
    const run = join(dir, 'run', 'nodeswan');
    prepareRunDir(run);
    expect(lstatSync(run).mode & 0o777).toBe(0o700);
    prepareRunDir(run);
  });

  it('refuses a run dir that others may write or that is a symlink or foreign', () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => prepareRunDir(open)).toThrow(/writable by group or others \(mode 777\)/);
    const link = join(dir, 'link');
    symlinkSync(open, link);
    expect(() => prepareRunDir(link)).toThrow(/symbolic link/);
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign, { mode: 0o700 });
    chownSync(foreign, 65534, 65534);
    expect(() => prepareRunDir(foreign)).toThrow(/owned by uid 65534/);
  });
});
