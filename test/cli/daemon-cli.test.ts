// The daemon shell end to end: the real `ipsec` CLI starts a real daemon
// process (with the test engine) on a temporary run dir, and every command
// goes through the real control socket.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { Output, exitOf, ipsec, processAlive, spawnForeground } from '../daemon/fixtures/run-ipsec.js';

const PSK = 'Zq8-very-secret-psk-4711';
const FAIL = "peer offered AES_CBC_128/HMAC_SHA1_96/MODP_1024, conn 'legacy' accepts AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519";

let dir: string;
let flags: string[];
let started: number[];

function writeConfig(conns: object[], extra: object = {}): void {
  writeFileSync(join(dir, 'conf.json'), JSON.stringify({ conns, psk: PSK, ...extra }, null, 2));
}

const office = { name: 'office', local: 'moon.example', remote: '192.0.2.9' };
const legacy = { name: 'legacy', local: 'moon.example', remote: '203.0.113.5', fail: FAIL };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-cli-'));
  flags = ['--rundir', join(dir, 'run'), '--config', join(dir, 'conf.json'), '--logfile', join(dir, 'daemon.log')];
  started = [];
  writeConfig([office, legacy]);
});

afterEach(async () => {
  // A failing test must not leave a daemon behind.
  for (const pid of started) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<number> {
  const r = await ipsec(['start', ...flags]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const pid = Number(/pid (\d+)/.exec(r.stdout)![1]);
  started.push(pid);
  return pid;
}

async function statusJson(...args: string[]): Promise<StatusSnapshot> {
  const r = await ipsec(['status', '--json', ...args, ...flags]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as StatusSnapshot;
}

describe('ipsec start/stop (forking)', () => {
  it('starts in the background, writes the pid file, serves a 0600 socket, stops cleanly', async () => {
    const pid = await start();
    expect(processAlive(pid)).toBe(true);
    expect(readFileSync(join(dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid}\n`);
    const sock = lstatSync(join(dir, 'run', 'nodeswan.ctl'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(sock.uid).toBe(0);
    expect(lstatSync(join(dir, 'run')).mode & 0o777).toBe(0o700);

    const s = await statusJson();
    expect(s.daemon.pid).toBe(pid);
    expect(s.conns.map((c) => c.name)).toEqual(['office', 'legacy']);
    expect(s.daemon.listening.length).toBe(2); // IKE and NAT-T sockets on 127.0.0.1

    const stop = await ipsec(['stop', ...flags]);
    expect(stop).toMatchObject({ code: 0, stdout: `Stopping nodeswan IPsec daemon (pid ${pid})\n` });
    // stop returns once the process is gone.
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(join(dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(dir, 'run', 'nodeswan.ctl'))).toBe(false);
    const log = readFileSync(join(dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/\[IKE\] test engine shutdown called/);
    expect(log).toMatch(/\[DMN\] nodeswan stopped/);
  });

  it('refuses a second daemon while one runs, by pid file and by --nofork', async () => {
    const pid = await start();
    const again = await ipsec(['start', ...flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`nodeswan is already running (pid ${pid}`);
    const fg = await ipsec(['start', '--nofork', ...flags]);
    expect(fg.code).toBe(1);
    expect(fg.stderr).toContain(`nodeswan is already running (pid ${pid}`);
    expect((await statusJson()).daemon.pid).toBe(pid);
    await ipsec(['stop', ...flags]);
  });

  it('of two daemons started at once exactly one runs', async () => {
    const a = spawnForeground(flags);
    const b = spawnForeground(flags);
    const outs = [a, b].map((c) => new Output(c.stdout!));
    const errs = [a, b].map((c) => new Output(c.stderr!));
    started.push(a.pid!, b.pid!);
    // The loser exits 1 on its own; the winner keeps running.
    const first = await Promise.race([exitOf(a).then(() => 0), exitOf(b).then(() => 1)]);
    const loser = [a, b][first]!;
    const winner = [a, b][1 - first]!;
    expect(await exitOf(loser)).toEqual({ code: 1, signal: null });
    expect(errs[first]!.text).toMatch(/already running|a nodeswan daemon is already listening/);
    await outs[1 - first]!.waitFor(/nodeswan started/);
    expect((await statusJson()).daemon.pid).toBe(winner.pid);
    winner.kill('SIGTERM');
    expect(await exitOf(winner)).toEqual({ code: 0, signal: null });
  });

  it('replaces a stale pid file and a stale socket left by a killed daemon', async () => {
    const pid = await start();
    // The detached daemon is not our child: learn of its death from the
    // kernel closing its end of a control connection.
    const conn = createConnection(join(dir, 'run', 'nodeswan.ctl'));
    await new Promise((r) => conn.once('connect', r));
    const gone = new Promise((r) => conn.once('close', r));
    process.kill(pid, 'SIGKILL');
    await gone;
    expect(existsSync(join(dir, 'run', 'nodeswan.pid'))).toBe(true);
    expect(existsSync(join(dir, 'run', 'nodeswan.ctl'))).toBe(true);
    const status = await ipsec(['status', ...flags]);
    expect(status.code).toBe(3); // not running
    const pid2 = await start();
    expect(pid2).not.toBe(pid);
    expect(readFileSync(join(dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid2}\n`);
    await ipsec(['stop', ...flags]);
  });

  it('treats a pid file naming a live non-daemon process as stale', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    writeFileSync(join(dir, 'run', 'nodeswan.pid'), `${process.pid}\n`); // the test runner, not a daemon
    const pid = await start();
    expect(readFileSync(join(dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid}\n`);
    await ipsec(['stop', ...flags]);
  });

  it('reports why the daemon could not start and leaves nothing behind', async () => {
    writeFileSync(join(dir, 'conf.json'), '{ "conns": [ oops ] }');
    const r = await ipsec(['start', ...flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nodeswan failed to start');
    expect(r.stderr).toMatch(/conf\.json:1:\d+: error: not valid JSON/);
    expect(existsSync(join(dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(dir, 'run', 'nodeswan.ctl'))).toBe(false);
  });

  it('restart replaces the daemon; stop on a stopped daemon is not an error', async () => {
    const pid = await start();
    const r = await ipsec(['restart', ...flags]);
    expect(r.code).toBe(0);
    const pid2 = Number(/Starting nodeswan IPsec daemon \(pid (\d+)\)/.exec(r.stdout)![1]);
    started.push(pid2);
    expect(pid2).not.toBe(pid);
    expect(processAlive(pid)).toBe(false);
    expect((await statusJson()).daemon.pid).toBe(pid2);
    expect((await ipsec(['stop', ...flags])).code).toBe(0);
    const again = await ipsec(['stop', ...flags]);
    expect(again).toMatchObject({ code: 0, stderr: 'nodeswan is not running\n' });
  });
});

describe('ipsec up/down/status/statusall/reload against a running daemon', () => {
  it('drives the engine and shows its state', async () => {
    const pid = await start();
    const up = await ipsec(['up', 'office', ...flags]);
    expect(up).toMatchObject({ code: 0, stdout: "connection 'office' established successfully\n" });

    const fail = await ipsec(['up', 'legacy', ...flags]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toBe(`${FAIL}\n`);
    const unknown = await ipsec(['up', 'nosuch', ...flags]);
    expect(unknown).toMatchObject({ code: 1, stderr: "no connection named 'nosuch'\n" });

    const status = await ipsec(['status', ...flags]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Security Associations (1 up, 0 connecting):');
    expect(status.stdout).toMatch(/office\[1\]: ESTABLISHED \d+ seconds? ago, 127\.0\.0\.1\[\d+\]\[moon\.example\]\.\.\.192\.0\.2\.9\[500\]\[192\.0\.2\.9\], remote host is behind NAT/);
    expect(status.stdout).toContain('office[1]: IKEv2 SPIs: 0123456789abcdef_i* fedcba9876543210_r');
    expect(status.stdout).toContain('office{1}:  INSTALLED, TUNNEL, reqid 1, ESP in UDP SPIs: c0ffee01_i c0ffee02_o');
    expect(status.stdout).toContain('office{1}:  AES_GCM_16_256/NO_EXT_SEQ, 840 bytes_i (10 pkts), 1680 bytes_o (20 pkts)');
    expect(status.stdout).toContain('office{1}:   198.51.100.0/24 === 203.0.113.0/24');

    // statusall: sockets and drop counters, fed by real datagrams.
    const s = await statusJson();
    const [ike, natt] = s.daemon.listening.map((l) => Number(/\[(\d+)\]$/.exec(l)![1]));
    const sock = dgram.createSocket('udp4');
    const send = (bytes: number[], port: number) =>
      new Promise<void>((r) => sock.send(Buffer.from(bytes), port, '127.0.0.1', () => r()));
    await send([0, 0, 0, 0, 1, 2, 3], natt!); // IKE on 4500
    await send([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1], natt!); // ESP on 4500: dropped
    await send([0xff], natt!); // keepalive
    await send([9, 9, 9], ike!); // IKE on 500
    sock.close();
    // The test engine logs each datagram it gets; wait for the log lines.
    let all = '';
    for (;;) {
      const r = await ipsec(['statusall', ...flags]);
      all = r.stdout;
      if (/test-datagrams-seen: 2/.test(all) && /natt-keepalive: 1/.test(all)) break;
    }
    expect(all).toContain(`Status of nodeswan IKE daemon (0.1.0, pid ${pid}):`);
    expect(all).toMatch(/Listening addresses:\n {2}127\.0\.0\.1\[\d+\]\n {2}127\.0\.0\.1\[\d+\]\n/);
    expect(all).toMatch(/office: {2}moon\.example\.\.\.192\.0\.2\.9 {2}IKEv2, auto=add, psk authentication/);
    expect(all).toContain('  esp-on-natt-socket: 1');
    expect(all).toContain('Dropped datagrams (4):');

    const one = await statusJson('office');
    expect(one.ikeSas.map((x) => x.name)).toEqual(['office']);
    expect(one.conns.map((x) => x.name)).toEqual(['office']);

    const down = await ipsec(['down', 'office', ...flags]);
    expect(down).toMatchObject({ code: 0, stdout: "connection 'office' closed successfully\n" });
    expect((await statusJson()).ikeSas).toEqual([]);
    const downUnknown = await ipsec(['down', 'nosuch', ...flags]);
    expect(downUnknown).toMatchObject({ code: 1, stderr: "no connection named 'nosuch'\n" });

    await ipsec(['stop', ...flags]);
  });

  it('reload applies a good config and refuses a broken one, keeping the running config', async () => {
    await start();
    writeConfig([{ ...office, remote: '192.0.2.10' }, { name: 'branch', local: 'moon', remote: '198.51.100.7' }]);
    const good = await ipsec(['reload', ...flags]);
    expect(good).toMatchObject({
      code: 0,
      stdout: 'Reloaded configuration: added branch; removed legacy; changed office; unchanged 0\n',
    });
    expect((await statusJson()).conns.map((c) => c.name)).toEqual(['office', 'branch']);

    writeFileSync(join(dir, 'conf.json'), '{\n  "conns": [,]\n}');
    const bad = await ipsec(['reload', ...flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^reload refused: .*conf\.json has 1 error\n.*conf\.json:\d+:\d+: error: not valid JSON\nthe running configuration is kept\n$/);
    expect((await statusJson()).conns.map((c) => c.name)).toEqual(['office', 'branch']);
    await ipsec(['stop', ...flags]);
    const log = readFileSync(join(dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/\[CFG\] reload refused, keeping the running configuration/);
  });

  it('no secret reaches the log or the status output', async () => {
    await start();
    await ipsec(['up', 'office', ...flags]);
    const outputs = [
      (await ipsec(['statusall', ...flags])).stdout,
      (await ipsec(['status', '--json', ...flags])).stdout,
    ];
    writeConfig([office], { charondebug: 'any 4' }); // most verbose levels
    await ipsec(['reload', ...flags]);
    await ipsec(['up', 'office', ...flags]);
    await ipsec(['stop', ...flags]);
    const log = readFileSync(join(dir, 'daemon.log'), 'utf8');
    expect(log).toContain('secret=<hidden>');
    for (const text of [log, ...outputs]) {
      expect(text).not.toContain(PSK);
      expect(text).not.toContain(Buffer.from(PSK).toString('hex'));
    }
  });

  it('commands against no daemon say so, with LSB exit codes', async () => {
    const st = await ipsec(['status', ...flags]);
    expect(st.code).toBe(3);
    expect(st.stderr).toMatch(/^nodeswan is not running \(no daemon on .*nodeswan\.ctl\)\n$/);
    const up = await ipsec(['up', 'office', ...flags]);
    expect(up.code).toBe(7);
    expect((await ipsec(['up', ...flags])).stderr).toBe('usage: ipsec up NAME\n');
    const bad = await ipsec(['status', '--bogus', ...flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'.*options: --config X/);
  });
});

describe('ipsec start --nofork (the systemd way)', () => {
  it('SIGTERM calls engine shutdown and exits 0; SIGHUP reloads', async () => {
    const child = spawnForeground(flags);
    started.push(child.pid!);
    const out = new Output(child.stdout!);
    await out.waitFor(/\[DMN\] nodeswan started/);
    writeConfig([office]);
    child.kill('SIGHUP');
    await out.waitFor(/\[CFG\] reloaded configuration added=\[\] removed=\[legacy\] changed=\[\]/);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(out.text).toMatch(/\[DMN\] shutting down reason=SIGTERM\n.*\[IKE\] test engine shutdown called/);
    expect(existsSync(join(dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(dir, 'run', 'nodeswan.ctl'))).toBe(false);
  });

  it('logs without timestamps and with priorities under journald', async () => {
    const child = spawnForeground(flags, { JOURNAL_STREAM: '9:999' });
    started.push(child.pid!);
    const out = new Output(child.stdout!);
    await out.waitFor(/nodeswan started/);
    child.kill('SIGINT');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    const lines = out.text.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^<[3-7]>\d\[[A-Z]{3}\] /);
  });

  it('sends READY=1 once serving and STOPPING=1 on shutdown to NOTIFY_SOCKET', async () => {
    const notifyPath = join(dir, 'notify');
    // A stand-in for systemd's notification socket (Node has no unix
    // datagram sockets): prints each message and honours BARRIER=1 by
    // closing the fd it carries, as systemd does.
    const receiver = spawn(
      'python3',
      [
        '-c',
        `
import socket, os, array, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('bound', flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i'); fds.frombytes(data[:len(data) - len(data) % 4])
            for fd in fds: os.close(fd)
    print(msg.decode().replace('\\n', ' '), flush=True)
`,
        notifyPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const got = new Output(receiver.stdout!);
      await got.waitFor(/bound/);
      const child = spawnForeground(flags, { NOTIFY_SOCKET: notifyPath });
      started.push(child.pid!);
      await got.waitFor(/READY=1/);
      // Ready means serving: the control socket answers right away.
      expect((await statusJson()).daemon.pid).toBe(child.pid);
      child.kill('SIGTERM');
      await got.waitFor(/STOPPING=1/);
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(got.text).toMatch(/READY=1 STATUS=listening on 2 sockets/);
    } finally {
      receiver.kill('SIGKILL');
    }
  });
});
