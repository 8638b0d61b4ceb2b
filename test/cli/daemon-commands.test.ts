// `ipsec up/down/status/statusall/reload` through the real control socket of a real daemon.
import dgram from 'node:dgram';
import { chmodSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAIL, PSK, office, useCliEnv } from '../daemon/fixtures/cli-env.js';
import { ipsec } from '../daemon/fixtures/run-ipsec.js';

const env = useCliEnv();

describe('ipsec up/down/status/statusall/reload against a running daemon', () => {
  it('drives the engine and shows its state', async () => {
    const pid = await env.start();
    const up = await ipsec(['up', 'office', ...env.flags]);
    expect(up.code).toBe(0);
    // The daemon's log about the conn streams to the command while it runs.
    expect(up.stdout).toMatch(/^\S+ 1\[IKE\] <office\|1> IKE SA established \(test engine\)\nconnection 'office' established successfully\n$/);

    const fail = await ipsec(['up', 'legacy', ...env.flags]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toBe(`${FAIL}\n`);
    expect(fail.stdout).toContain(`0[IKE] <legacy> ${FAIL}\n`);
    const unknown = await ipsec(['up', 'nosuch', ...env.flags]);
    expect(unknown).toMatchObject({ code: 1, stderr: "no connection named 'nosuch'\n" });

    const status = await ipsec(['status', ...env.flags]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Security Associations (1 up, 0 connecting):');
    expect(status.stdout).toMatch(/office\[1\]: ESTABLISHED \d+ seconds? ago, 127\.0\.0\.1\[\d+\]\[moon\.example\]\.\.\.192\.0\.2\.9\[500\]\[192\.0\.2\.9\], remote host is behind NAT/);
    expect(status.stdout).toContain('office[1]: IKEv2 SPIs: 0123456789abcdef_i* fedcba9876543210_r');
    expect(status.stdout).toContain('office{1}:  INSTALLED, TUNNEL, reqid 1, ESP in UDP SPIs: c0ffee01_i c0ffee02_o');
    expect(status.stdout).toContain('office{1}:  AES_GCM_16_256/NO_EXT_SEQ, 840 bytes_i (10 pkts), 1680 bytes_o (20 pkts)');
    expect(status.stdout).toContain('office{1}:   198.51.100.0/24 === 203.0.113.0/24');

    // statusall: sockets and drop counters, fed by real datagrams.
    const s = await env.statusJson();
    const [ike, natt] = s.daemon.listening.map((l) => Number(/\[(\d+)\]$/.exec(l)![1]));
    const sock = dgram.createSocket('udp4');
    const send = (bytes: number[], port: number) =>
      new Promise<void>((r) => sock.send(Buffer.from(bytes), port, '127.0.0.1', () => r()));
    await send([0, 0, 0, 0, 1, 2, 3], natt!); // IKE on 4500
    await send([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1], natt!); // ESP on 4500: dropped
    await send([0xff], natt!); // keepalive
    await send([9, 9, 9], ike!); // IKE on 500
    sock.close();
    // Loopback delivery is synchronous: the datagrams sit in the daemon's
    // socket buffers before the status request below is even connected, and
    // its event loop reads them first.
    const all = (await ipsec(['statusall', ...env.flags])).stdout;
    expect(all).toContain('  test-datagrams-seen: 2');
    expect(all).toContain('  net-natt-keepalive: 1');
    expect(all).toContain(`Status of nodeswan IKE daemon (0.1.0, pid ${pid}):`);
    expect(all).toMatch(/Listening addresses:\n {2}127\.0\.0\.1\[\d+\]\n {2}127\.0\.0\.1\[\d+\]\n/);
    expect(all).toMatch(/office: {2}moon\.example\.\.\.192\.0\.2\.9 {2}IKEv2, auto=add, psk authentication/);
    expect(all).toContain('  net-esp-on-natt-socket: 1');
    expect(all).toContain('Dropped datagrams (4):');

    const one = await env.statusJson('office');
    expect(one.ikeSas.map((x) => x.name)).toEqual(['office']);
    expect(one.conns.map((x) => x.name)).toEqual(['office']);

    const down = await ipsec(['down', 'office', ...env.flags]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/<office> deleting IKE SA \(test engine\)\nconnection 'office' closed successfully\n$/);
    expect((await env.statusJson()).ikeSas).toEqual([]);
    const downUnknown = await ipsec(['down', 'nosuch', ...env.flags]);
    expect(downUnknown).toMatchObject({ code: 1, stderr: "no connection named 'nosuch'\n" });

    await ipsec(['stop', ...env.flags]);
  });

  it('reload applies a good config and refuses a broken one, keeping the running config', async () => {
    await env.start();
    env.writeConfig([{ ...office, remote: '192.0.2.10' }, { name: 'branch', local: 'moon', remote: '198.51.100.7' }]);
    const good = await ipsec(['reload', ...env.flags]);
    expect(good).toMatchObject({
      code: 0,
      stdout: 'Reloaded configuration: added branch; removed legacy; changed office; unchanged 0\n',
    });
    expect((await env.statusJson()).conns.map((c) => c.name)).toEqual(['office', 'branch']);

    writeFileSync(join(env.dir, 'conf.json'), '{\n  "conns": [,]\n}');
    const bad = await ipsec(['reload', ...env.flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^reload refused: .*conf\.json has 1 error\n.*conf\.json:\d+:\d+: error: not valid JSON\nthe running configuration is kept\n$/);
    expect((await env.statusJson()).conns.map((c) => c.name)).toEqual(['office', 'branch']);
    await ipsec(['stop', ...env.flags]);
    const log = readFileSync(join(env.dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/\[CFG\] reload refused, keeping the running configuration/);
  });

  it('no secret reaches the log or the status output', async () => {
    await env.start();
    await ipsec(['up', 'office', ...env.flags]);
    const outputs = [
      (await ipsec(['statusall', ...env.flags])).stdout,
      (await ipsec(['status', '--json', ...env.flags])).stdout,
    ];
    env.writeConfig([office], { charondebug: 'any 4' }); // most verbose levels
    await ipsec(['reload', ...env.flags]);
    await ipsec(['up', 'office', ...env.flags]);
    await ipsec(['stop', ...env.flags]);
    const log = readFileSync(join(env.dir, 'daemon.log'), 'utf8');
    expect(log).toContain('secret=<hidden>');
    for (const text of [log, ...outputs]) {
      expect(text).not.toContain(PSK);
      expect(text).not.toContain(Buffer.from(PSK).toString('hex'));
    }
  });

  it('a user other than root is refused by the socket permissions', async () => {
    await env.start();
    const r = await ipsec(['status', ...env.flags], {}, { uid: 65534, gid: 65534 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^permission denied on .*nodeswan\.ctl: the control socket is root-only\n$/);
    await ipsec(['stop', ...env.flags]);
  });

  it('--ctlgroup lets one group use the socket (0660), and nobody else', async () => {
    chmodSync(env.dir, 0o711); // the temp dir itself must not be in the way
    const flags = [...env.flags, '--ctlgroup', 'nogroup'];
    const r = await ipsec(['start', ...flags]);
    expect(r.code).toBe(0);
    env.started.push(Number(/pid (\d+)/.exec(r.stdout)![1]));
    const sock = lstatSync(join(env.dir, 'run', 'nodeswan.ctl'));
    expect(sock.mode & 0o777).toBe(0o660);
    expect(sock.gid).toBe(65534);
    expect(lstatSync(join(env.dir, 'run')).mode & 0o777).toBe(0o750);
    const member = await ipsec(['status', '--json', ...env.flags], {}, { uid: 65534, gid: 65534 });
    expect(member.code).toBe(0);
    expect(JSON.parse(member.stdout).conns).toHaveLength(2);
    const outsider = await ipsec(['status', ...env.flags], {}, { uid: 65533, gid: 65533 });
    expect(outsider.stderr).toMatch(/permission denied/);
    await ipsec(['stop', ...env.flags]);
  });

  it('commands against no daemon say so, with LSB exit codes', async () => {
    const st = await ipsec(['status', ...env.flags]);
    expect(st.code).toBe(3);
    expect(st.stderr).toMatch(/^nodeswan is not running \(no daemon on .*nodeswan\.ctl\)\n$/);
    const up = await ipsec(['up', 'office', ...env.flags]);
    expect(up.code).toBe(7);
    expect((await ipsec(['up', ...env.flags])).stderr).toBe('usage: ipsec up NAME\n');
    const bad = await ipsec(['status', '--bogus', ...env.flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'.*options: --config X/);
  });
});

