// `ipsec start/stop/restart` with a real daemon process (test engine) on a temp run dir.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { office, useCliEnv } from '../daemon/fixtures/cli-env.js';
import { Output, exitOf, ipsec, processAlive, spawnForeground } from '../daemon/fixtures/run-ipsec.js';

const env = useCliEnv();

describe('ipsec start/stop (forking)', () => {
  it('starts in the background, writes the pid file, serves a 0600 socket, stops cleanly', async () => {
    const pid = await env.start();
    expect(processAlive(pid)).toBe(true);
    expect(readFileSync(join(env.dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid}\n`);
    const sock = lstatSync(join(env.dir, 'run', 'nodeswan.ctl'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(sock.uid).toBe(0);
    expect(lstatSync(join(env.dir, 'run')).mode & 0o777).toBe(0o700);

    const s = await env.statusJson();
    expect(s.daemon.pid).toBe(pid);
    expect(s.conns.map((c) => c.name)).toEqual(['office', 'legacy']);
    expect(s.daemon.listening.length).toBe(2); // IKE and NAT-T sockets on 127.0.0.1

    const stop = await ipsec(['stop', ...env.flags]);
    expect(stop).toMatchObject({ code: 0, stdout: `Stopping nodeswan IPsec daemon (pid ${pid})\n` });
    // stop returns once the process is gone.
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.ctl'))).toBe(false);
    const log = readFileSync(join(env.dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/\[IKE\] test engine shutdown called/);
    expect(log).toMatch(/\[DMN\] nodeswan stopped/);
  });

  it('accepts relative paths and does not keep the start directory busy', async () => {
    const rel = (p: string) => relative(process.cwd(), p);
    const r = await ipsec(['start', '--rundir', rel(join(env.dir, 'run')), '--config', rel(join(env.dir, 'conf.json')), '--logfile', rel(join(env.dir, 'daemon.log'))]);
    expect(r.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(r.stdout)![1]);
    env.started.push(pid);
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe('/');
    // The config path was made absolute: a reload from / still finds it.
    env.writeConfig([office]);
    expect((await ipsec(['reload', ...env.flags])).stdout).toContain('removed legacy');
    await ipsec(['stop', ...env.flags]);
  });

  it('refuses a second daemon while one runs, by pid file and by --nofork', async () => {
    const pid = await env.start();
    const again = await ipsec(['start', ...env.flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`nodeswan is already running (pid ${pid}`);
    const fg = await ipsec(['start', '--nofork', ...env.flags]);
    expect(fg.code).toBe(1);
    expect(fg.stderr).toContain(`nodeswan is already running (pid ${pid}`);
    expect((await env.statusJson()).daemon.pid).toBe(pid);
    await ipsec(['stop', ...env.flags]);
  });

  it('of two daemons started at once exactly one runs', async () => {
    const a = spawnForeground(env.flags);
    const b = spawnForeground(env.flags);
    const outs = [a, b].map((c) => new Output(c.stdout!));
    const errs = [a, b].map((c) => new Output(c.stderr!));
    env.started.push(a.pid!, b.pid!);
    // The loser exits 1 on its own; the winner keeps running.
    const first = await Promise.race([exitOf(a).then(() => 0), exitOf(b).then(() => 1)]);
    const loser = [a, b][first]!;
    const winner = [a, b][1 - first]!;
    expect(await exitOf(loser)).toEqual({ code: 1, signal: null });
    expect(errs[first]!.text).toMatch(/already running|a nodeswan daemon is already listening/);
    await outs[1 - first]!.waitFor(/nodeswan started/);
    expect((await env.statusJson()).daemon.pid).toBe(winner.pid);
    winner.kill('SIGTERM');
    expect(await exitOf(winner)).toEqual({ code: 0, signal: null });
  });

  it('replaces a stale pid file and a stale socket left by a killed daemon', async () => {
    const pid = await env.start();
    // The detached daemon is not our child: learn of its death from the
    // kernel closing its end of a control connection.
    const conn = createConnection(join(env.dir, 'run', 'nodeswan.ctl'));
    await new Promise((r) => conn.once('connect', r));
    conn.on('error', () => {}); // a reset is one way the end shows
    const gone = new Promise((r) => conn.once('close', r));
    process.kill(pid, 'SIGKILL');
    await gone;
    expect(existsSync(join(env.dir, 'run', 'nodeswan.pid'))).toBe(true);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.ctl'))).toBe(true);
    const status = await ipsec(['status', ...env.flags]);
    expect(status.code).toBe(3); // not running
    const pid2 = await env.start();
    expect(pid2).not.toBe(pid);
    expect(readFileSync(join(env.dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid2}\n`);
    await ipsec(['stop', ...env.flags]);
  });

  it('a crash is logged in one line, exits 70, and the next start cleans up', async () => {
    env.writeConfig([office, { name: 'boom', local: 'a', remote: 'b', crash: true }]);
    const pid = await env.start();
    const up = await ipsec(['up', 'boom', ...env.flags]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/closed the control connection before answering 'up'/);
    const log = readFileSync(join(env.dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/0\[DMN\] internal error, exiting error="test engine bug" stack=/);
    expect(processAlive(pid)).toBe(false);
    const pid2 = await env.start();
    expect(pid2).not.toBe(pid);
    await ipsec(['stop', ...env.flags]);
  });

  it('treats a pid file naming a live non-daemon process as stale', async () => {
    
    mkdirSync(join(env.dir, 'run'), { mode: 0o700 });
    writeFileSync(join(env.dir, 'run', 'nodeswan.pid'), `${process.pid}\n`); // the test runner, not a daemon
    const pid = await env.start();
    expect(readFileSync(join(env.dir, 'run', 'nodeswan.pid'), 'utf8')).toBe(`${pid}\n`);
    await ipsec(['stop', ...env.flags]);
  });

  it('reports why the daemon could not start and leaves nothing behind', async () => {
    writeFileSync(join(env.dir, 'conf.json'), '{ "conns": [ oops ] }');
    const r = await ipsec(['start', ...env.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nodeswan failed to start');
    expect(r.stderr).toMatch(/conf\.json:1:\d+: error: not valid JSON/);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.ctl'))).toBe(false);
  });

  it('restart replaces the daemon; stop on a stopped daemon is not an error', async () => {
    const pid = await env.start();
    const r = await ipsec(['restart', ...env.flags]);
    expect(r.code).toBe(0);
    const pid2 = Number(/Starting nodeswan IPsec daemon \(pid (\d+)\)/.exec(r.stdout)![1]);
    env.started.push(pid2);
    expect(pid2).not.toBe(pid);
    expect(processAlive(pid)).toBe(false);
    expect((await env.statusJson()).daemon.pid).toBe(pid2);
    expect((await ipsec(['stop', ...env.flags])).code).toBe(0);
    const again = await ipsec(['stop', ...env.flags]);
    expect(again).toMatchObject({ code: 0, stderr: 'nodeswan is not running\n' });
  });
});

