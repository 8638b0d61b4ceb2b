// Dead peer detection in the kernel lab (issue 6, "Done when", liveness
// item), with small values (dpddelay=2s, dpdtimeout=6s):
// - liveness checks go out only when the kernel counted no inbound packets:
//   with pings flowing through one conn its IKE SA sends none, while the
//   idle conn next to it does (log at `ike 2`);
// - the peer daemon is SIGKILLed (its kernel SAs stay: a dead daemon, not a
//   dead link): the dpdaction=clear conn's IKE/CHILD SAs and kernel state are
//   gone within dpddelay + dpdtimeout, the dpdaction=restart conn keeps
//   trying and is up again (pings pass) once the peer daemon is restarted;
// - against strongSwan: charon SIGKILLed, nodeswan clears within the same bound.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { xfrmStates } from '../interop/support/kernel-view.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { run, runIn } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { Charon } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'dead peer detection lab secret 7Qw2z';
const DPD_DELAY_S = 2;
const DPD_TIMEOUT_S = 6;
/** Timer and mailbox latency of a loaded TCG guest on top of the protocol bound. */
const SLACK_MS = 1500;

/** Polls `probe` until it returns a value, at most `deadlineMs`; throws with `what` otherwise. */
async function pollUntil<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>, stepMs = 250): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** The ISO timestamp of the first log line matching `pattern`. */
function loggedAt(log: string, pattern: RegExp): number | undefined {
  const line = log.split('\n').find((l) => pattern.test(l));
  return line ? Date.parse(line.slice(0, line.indexOf(' '))) : undefined;
}

const established = (s: StatusSnapshot, conn: string) => s.ikeSas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED' && sa.children.some((c) => c.state === 'INSTALLED'));

/** NODESWAN_LAB_TRACE=1 prints the measured figures. */
function trace(text: string): void {
  if (process.env.NODESWAN_LAB_TRACE) process.stderr.write(`[lab] ${text}\n`);
}

/** Resolves when the (non-child) process is gone. */
async function killed(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await run(['tail', `--pid=${pid}`, '-f', '/dev/null'], { timeoutMs: 30_000 });
}

describe('DPD between two nodeswan daemons', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  // Two conns between the same hosts: `host` (transport, dpdaction=clear)
  // and `net` (tunnel between the inside networks, dpdaction=restart).
  // Own identities per conn: the responder picks its conn by the peer's ID.
  const conf = (me: 'left' | 'right') => {
    const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
    const peer = me === 'left' ? 'right' : 'left';
    const dpd = (action: string) => (me === 'left' ? `\n    dpddelay=${DPD_DELAY_S}s\n    dpdtimeout=${DPD_TIMEOUT_S}s\n    dpdaction=${action}` : '');
    return `config setup
    charondebug="ike 2"

conn %default
    keyexchange=ikev2
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    esp=aes256gcm16
    auto=add

conn host
    type=transport
    leftid=@${me}-host.example
    rightid=@${peer}-host.example${dpd('clear')}

conn net
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    leftid=@${me}-net.example
    rightid=@${peer}-net.example${dpd('restart')}
`;
  };
  const secrets = `@left-host.example @right-host.example : PSK "${PSK}"\n@left-net.example @right-net.example : PSK "${PSK}"\n`;

  beforeAll(async () => {
    topo = await createTopology();
    right = await NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
    await left.up('host');
    await left.up('net');
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  it('sends liveness checks only for the SA that saw no inbound traffic', async () => {
    const from = left.log().length;
    // 5 pings a second for 4 dpddelay periods through `net`; `host` stays idle.
    const pinged = await runIn(topo.left.ns, ['busybox', 'ping', '-4', '-q', '-i', '0.2', '-c', String(5 * 4 * DPD_DELAY_S), '-w', '30', '-I', topo.left.inside4, topo.right.inside4], { allowFailure: true, timeoutMs: 40_000 });
    expect(pinged.stdout).toMatch(/(\d+) packets transmitted, \1 packets received/);
    const during = left.log().slice(from);
    const checks = (conn: string) => during.split('\n').filter((l) => l.includes(`<${conn}>`) && l.includes(': liveness check')).length;
    expect(checks('net'), during).toBe(0);
    // The control: the idle conn next to it was checked (and answered) meanwhile.
    expect(checks('host'), during).toBeGreaterThanOrEqual(2);
    expect(during).not.toContain('is dead');
  }, 120_000);

  it('peer daemon SIGKILLed: dpdaction=clear clears within dpddelay + dpdtimeout, dpdaction=restart is up again once the peer is back', async () => {
    const before = await left.status();
    const hostChild = established(before, 'host')!.children[0]!;
    const from = left.log().length;
    const pid = Number.parseInt(readFileSync(join(right.paths.rundir, 'nodeswan.pid'), 'utf8'), 10);
    const killedAt = Date.now();
    await killed(pid);
    // A dead daemon, not a dead link: its SAs are still in its kernel.
    expect((await xfrmStates(topo.right.ns)).map((s) => s.spi)).toEqual(expect.arrayContaining([hostChild.spiIn, hostChild.spiOut]));

    const bound = (DPD_DELAY_S + DPD_TIMEOUT_S) * 1000;
    const deadLine = new RegExp(`<host> peer ${topo.right.outer4} is dead .*dpdaction=clear`);
    await pollUntil(`left declares the host peer dead\n${left.log().slice(from)}`, bound + SLACK_MS + 5000, async () => (deadLine.test(left.log().slice(from)) ? true : undefined));
    const deadAt = loggedAt(left.log().slice(from), deadLine)!;
    trace(`nodeswan peer killed -> declared dead after ${deadAt - killedAt} ms (bound ${bound} ms)`);
    expect(deadAt - killedAt).toBeLessThanOrEqual(bound + SLACK_MS);
    // The kernel state of `host` went with it (`net` follows its own restart path).
    const spis = (await xfrmStates(topo.left.ns)).map((s) => s.spi);
    expect(spis).not.toContain(hostChild.spiIn);
    expect(spis).not.toContain(hostChild.spiOut);
    expect((await run(['ip', '-n', topo.left.ns, 'xfrm', 'policy'])).stdout).not.toContain(`src ${topo.left.outer4}/32 dst ${topo.right.outer4}/32`);
    const after = await left.status();
    expect(after.ikeSas.filter((s) => s.name === 'host')).toEqual([]);

    // `net` (dpdaction=restart) keeps trying while the peer is down.
    expect(left.log().slice(from)).toMatch(/<net> peer .* is dead .*dpdaction=restart/);
    expect(left.log().slice(from)).toContain("dpdaction=restart: negotiating conn 'net' again");

    // The peer daemon comes back (it removes its predecessor's kernel state);
    // the retransmitted IKE_SA_INIT reaches it and `net` is up again.
    const start = await right.ipsec(['start']);
    expect(start.exitCode, start.stdout + start.stderr).toBe(0);
    const restartedAt = Date.now();
    const again = await pollUntil(`net re-established\n${left.log().slice(from)}`, 90_000, async () => established(await left.status('net'), 'net'), 1000);
    trace(`peer restarted -> net re-established after ${Date.now() - restartedAt} ms`);
    expect(again.children[0]!.spiIn).not.toBe(established(before, 'net')!.children[0]!.spiIn);
    const there = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
    expect(there.received, there.output).toBe(3);
    // dpdaction=clear does not come back on its own.
    expect((await left.status('host')).ikeSas).toEqual([]);
  }, 240_000);
});

describe('DPD against strongSwan', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let charon: Charon;

  beforeAll(async () => {
    topo = await createTopology();
    charon = await Charon.start(topo.right.ns, { name: 'right' });
    topo.onDestroy(() => charon.stop());
    await charon.load({
      connections: {
        host: {
          version: 2,
          local_addrs: topo.right.outer4,
          remote_addrs: topo.left.outer4,
          proposals: 'aes256gcm16-prfsha384-ecp384',
          local: { auth: 'psk', id: 'right.example' },
          remote: { auth: 'psk', id: 'left.example' },
          children: { host: { mode: 'transport', esp_proposals: 'aes256gcm16' } },
        },
      },
      secrets: { 'ike-host': { id: 'left.example', secret: JSON.stringify(PSK) } },
    });
    left = await NodeswanDaemon.start(
      topo.left.ns,
      {
        conf: `conn host
    keyexchange=ikev2
    authby=secret
    type=transport
    left=${topo.left.outer4}
    right=${topo.right.outer4}
    leftid=@left.example
    rightid=@right.example
    ike=aes256gcm16-prfsha384-ecp384
    esp=aes256gcm16
    dpddelay=${DPD_DELAY_S}s
    dpdtimeout=${DPD_TIMEOUT_S}s
    dpdaction=clear
    auto=add
`,
        secrets: `@left.example @right.example : PSK "${PSK}"\n`,
      },
      { name: 'left' },
    );
    topo.onDestroy(() => left.destroy());
    await left.up('host');
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  it('charon SIGKILLed: nodeswan clears its SAs within dpddelay + dpdtimeout', async () => {
    const child = established(await left.status('host'), 'host')!.children[0]!;
    const from = left.log().length;
    const killedAt = Date.now();
    await charon.kill();
    const bound = (DPD_DELAY_S + DPD_TIMEOUT_S) * 1000;
    const deadLine = new RegExp(`<host> peer ${topo.right.outer4} is dead .*dpdaction=clear`);
    await pollUntil(`left declares charon dead\n${left.log().slice(from)}`, bound + SLACK_MS + 5000, async () => (deadLine.test(left.log().slice(from)) ? true : undefined));
    const deadAfter = loggedAt(left.log().slice(from), deadLine)! - killedAt;
    trace(`charon killed -> declared dead after ${deadAfter} ms (bound ${bound} ms)`);
    expect(deadAfter).toBeLessThanOrEqual(bound + SLACK_MS);
    const spis = (await xfrmStates(topo.left.ns)).map((s) => s.spi);
    expect(spis).not.toContain(child.spiIn);
    expect(spis).not.toContain(child.spiOut);
    expect((await left.status('host')).ikeSas).toEqual([]);
  }, 120_000);
});
