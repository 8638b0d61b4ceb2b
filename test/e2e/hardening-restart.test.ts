// Crashes and restarts (issue 8, item 4), in the kernel lab with real ESP
// SAs: a SIGKILLed daemon leaves its SAs and policies in the kernel; the
// next `ipsec start` on the same folders replaces the stale pid file and
// control socket, removes exactly the state the previous nodeswan left
// (an SA and a policy added with `ip xfrm` by someone else survive) and
// brings the auto=start conn up again. A second `ipsec start` while one
// runs is refused. SIGTERM makes the daemon delete its SAs at the peer and
// leave only the foreign state in its kernel.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ipBatch, run, waitForLine } from '../lab/netns.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

const psk = 'hardening restart secret, never logged 4Kp9';
const foreignSpi = '0badf00d';
const restarts = 3;

function installedChild(status: StatusSnapshot, conn: string) {
  const ike = status.ikeSas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED');
  return ike?.children.find((c) => c.state === 'INSTALLED');
}

function established(status: StatusSnapshot, conn: string) {
  return status.ikeSas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED');
}

function pidOf(daemon: NodeswanDaemon): number {
  return Number.parseInt(readFileSync(join(daemon.paths.rundir, 'nodeswan.pid'), 'utf8'), 10);
}

/** Resolves when the (non-child) process is gone: `tail --pid` waits on it. */
async function exitOf(ns: string, pid: number): Promise<void> {
  await run(['tail', `--pid=${pid}`, '-f', '/dev/null'], { timeoutMs: 30_000 });
  void ns;
}

/** Resolves with the first log line after `fromByte` matching pattern (tail -f on the daemon's log file). */
async function logLine(daemon: NodeswanDaemon, fromByte: number, pattern: RegExp): Promise<string> {
  const tail = spawn('tail', ['-c', `+${fromByte + 1}`, '-F', daemon.paths.logfile], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return await waitForLine(tail, 'stdout', pattern, 60_000);
  } finally {
    tail.kill('SIGKILL');
  }
}

function logSize(daemon: NodeswanDaemon): number {
  return existsSync(daemon.paths.logfile) ? statSync(daemon.paths.logfile).size : 0;
}

async function policies(ns: string): Promise<string> {
  return (await run(['ip', '-n', ns, 'xfrm', 'policy'])).stdout;
}

describe('crashes and restarts: SIGKILL, restart, SIGTERM', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
      return `conn host4
    keyexchange=ikev2
    type=transport
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    auto=${me === 'left' ? 'start' : 'add'}
`;
    };
    const secrets = `${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"\n`;
    // Someone else's IPsec state on left, made with ip xfrm (reqid 7 is
    // outside nodeswan's owned range, the policy carries no owner mark).
    await ipBatch(topo.left.ns, [
      `xfrm state add src ${topo.left.outer4} dst 192.0.2.99 proto esp spi 0x${foreignSpi} reqid 7 mode tunnel aead 'rfc4106(gcm(aes))' 0x${'11'.repeat(20)} 128`,
      `xfrm policy add src 198.51.100.77/32 dst 203.0.113.77/32 dir out tmpl src ${topo.left.outer4} dst 192.0.2.99 proto esp reqid 7 mode tunnel`,
    ]);
    right = await NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    const from = 0;
    left = await NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
    await logLine(left, from, /IKE SA 'host4' established/);
  }, 180_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('a second ipsec start on the same config is refused while the daemon runs', async () => {
    const pid = pidOf(left);
    const second = await left.ipsec(['start']);
    expect(second.exitCode).not.toBe(0);
    expect(second.stdout + second.stderr).toMatch(new RegExp(`already running \\(pid ${pid}`));
    expect(pidOf(left)).toBe(pid);
    expect((await left.ipsec(['status'])).exitCode).toBe(0);
  });

  it(`survives ${restarts} SIGKILLs: stale state removed, foreign state kept, auto=start up again`, async () => {
    let killedWithChild = 0;
    for (let round = 1; round <= restarts; round++) {
      const status = await left.status();
      expect(established(status, 'host4'), `round ${round}: IKE SA before the kill`).toBeDefined();
      // Every instance has its CHILD SA: the peer drops the previous
      // instance's SAs when the new one sends INITIAL_CONTACT.
      const child = installedChild(status, 'host4');
      expect(child, `round ${round}: CHILD SA before the kill`).toBeDefined();
      const pid = pidOf(left);
      process.kill(pid, 'SIGKILL');
      await exitOf(left.ns, pid);
      // The dead daemon's state is still in the kernel, with its pid file and socket.
      const leftover = (await xfrmStates(left.ns)).map((s) => s.spi);
      {
        expect(leftover).toEqual(expect.arrayContaining([child!.spiIn.toLowerCase(), child!.spiOut.toLowerCase(), foreignSpi]));
        expect(await policies(left.ns)).toContain(`dst ${topo.right.outer4}/32`);
        killedWithChild++;
      }
      expect(existsSync(join(left.paths.rundir, 'nodeswan.pid'))).toBe(true);
      expect(existsSync(join(left.paths.rundir, 'nodeswan.ctl'))).toBe(true);

      const from = logSize(left);
      const start = await left.ipsec(['start']);
      expect(start.exitCode, start.stdout + start.stderr + left.log()).toBe(0);
      expect(pidOf(left)).not.toBe(pid);
      await logLine(left, from, /IKE SA 'host4' established/);
      expect(left.log().slice(from)).toMatch(/removed kernel state left by a previous nodeswan sas=2 policies=2/);

      const after = await left.status();
      const ike = established(after, 'host4');
      expect(ike, `round ${round}: auto=start IKE SA after the restart\n${left.log().slice(from)}`).toBeDefined();
      expect(ike!.spiI).not.toBe(established(status, 'host4')!.spiI);
      // Nothing of the killed instance is left; someone else's SA and policy are.
      const newChild = installedChild(after, 'host4');
      expect(newChild, `round ${round}: auto=start CHILD SA after the restart\n${left.log().slice(from)}`).toBeDefined();
      const expected = [newChild!.spiIn.toLowerCase(), newChild!.spiOut.toLowerCase(), foreignSpi];
      expect((await xfrmStates(left.ns)).map((s) => s.spi).sort()).toEqual(expected.sort());
      expect(await policies(left.ns)).toContain('203.0.113.77/32');
      // Control socket recreated: 0600, answers (status above went through it).
      const socket = statSync(join(left.paths.rundir, 'nodeswan.ctl'));
      expect(socket.isSocket()).toBe(true);
      expect(socket.mode & 0o777).toBe(0o600);
    }
    // Every kill left real ESP SAs and policies behind.
    expect(killedWithChild).toBe(restarts);
  }, 600_000);

  it('SIGTERM: the Delete reaches the peer, the kernel keeps only the foreign state, pid file and socket go', async () => {
    const current = established(await left.status(), 'host4');
    expect(current).toBeDefined();
    const atPeer = (await right.status()).ikeSas.map((sa) => sa.spiI);
    expect(atPeer).toContain(current!.spiI);
    const pid = pidOf(left);
    process.kill(pid, 'SIGTERM');
    await exitOf(left.ns, pid);
    expect((await xfrmStates(left.ns)).map((s) => s.spi)).toEqual([foreignSpi]);
    const leftPolicies = await policies(left.ns);
    expect(leftPolicies).toContain('203.0.113.77/32');
    expect(leftPolicies).not.toContain(`dst ${topo.right.outer4}/32`);
    expect(existsSync(join(left.paths.rundir, 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(left.paths.rundir, 'nodeswan.ctl'))).toBe(false);
    // The peer heard the Delete: the IKE SA of the stopped instance is gone there.
    expect((await right.status()).ikeSas.map((sa) => sa.spiI)).not.toContain(current!.spiI);
    expect(right.log()).not.toContain(psk);
    expect(left.log()).not.toContain(psk);
  }, 120_000);
});
