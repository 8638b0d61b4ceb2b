// On-demand negotiation in the kernel lab (issue 6, "Done when": "auto=route:
// first packet triggers the SA"), between two nodeswan daemons:
// - left's `net` conn (tunnel between the inside networks) is auto=route:
//   at start the kernel has its trap policies and no SA; the first ping
//   from the inside network hits the trap, the kernel's ACQUIRE starts the
//   negotiation, status shows the CHILD SA and pings get through;
// - `ipsec down` leaves the trap in place, `ipsec unroute` removes it,
//   `ipsec route` puts it back at run time;
// - dpdaction=hold: right's daemon is SIGKILLed, left finds it dead and
//   traps the `host` conn's traffic instead of dropping it in the clear;
// - `ipsec stop` leaves left's kernel without any state of ours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusConn, StatusSnapshot } from '../../src/daemon/engine.js';
import { xfrmText } from '../interop/support/kernel-view.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { run } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { pollUntil } from '../lab/poll.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'on-demand lab secret 4Kp9x';
const DPD_DELAY_S = 2;
const DPD_TIMEOUT_S = 4;

const connOf = (s: StatusSnapshot, name: string): StatusConn | undefined => s.conns.find((c) => c.name === name);
const childOf = (s: StatusSnapshot, name: string) =>
  s.ikeSas.find((sa) => sa.name === name && sa.state === 'ESTABLISHED')?.children.find((c) => c.state === 'INSTALLED');

/** `ip xfrm policy` blocks (socket bypass policies left out) for one selector and direction. */
function policyBlocks(policies: string, src: string, dst: string, dir: 'in' | 'out' | 'fwd'): string[] {
  return policies.split(/^(?=src )/m).filter((b) => b.startsWith(`src ${src} dst ${dst}`) && b.includes(`dir ${dir} `));
}

describe('auto=route between two nodeswan daemons', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  const conf = (me: 'left' | 'right') => {
    const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
    const peer = me === 'left' ? 'right' : 'left';
    const onLeft = (text: string) => (me === 'left' ? text : '');
    return `config setup
    charondebug="ike 1, knl 1"

conn %default
    keyexchange=ikev2
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    esp=aes256gcm16
    auto=add

conn net
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    leftid=@${me}-net.example
    rightid=@${peer}-net.example${onLeft('\n    auto=route')}

conn host
    type=transport
    leftid=@${me}-host.example
    rightid=@${peer}-host.example${onLeft(`\n    dpddelay=${DPD_DELAY_S}s\n    dpdtimeout=${DPD_TIMEOUT_S}s\n    dpdaction=hold`)}
`;
  };
  const secrets = `@left-net.example @right-net.example : PSK "${PSK}"\n@left-host.example @right-host.example : PSK "${PSK}"\n`;

  beforeAll(async () => {
    topo = await createTopology();
    right = await NodeswanDaemon.start(topo.right.ns, { conf: conf('right'), secrets }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: conf('left'), secrets }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
  }, 120_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  const netOut = () => [topo.left.insideNet4, topo.right.insideNet4] as const;

  it('starts with the trap policies in the kernel and no SA; the first packet brings the tunnel up', async () => {
    const before = await left.status();
    expect(connOf(before, 'net')?.trap?.reason).toBe('route');
    expect(before.ikeSas).toEqual([]);
    const kernel = await xfrmText(topo.left.ns);
    expect(kernel.states.trim()).toBe('');
    const [trap] = policyBlocks(kernel.policies, ...netOut(), 'out');
    expect(trap, kernel.policies).toMatch(new RegExp(`tmpl src ${topo.left.outer4} dst ${topo.right.outer4}\\s+proto esp reqid \\d+ mode tunnel`));
    expect(policyBlocks(kernel.policies, topo.right.insideNet4, topo.left.insideNet4, 'in')).toHaveLength(1);
    expect(policyBlocks(kernel.policies, topo.right.insideNet4, topo.left.insideNet4, 'fwd')).toHaveLength(1);

    // The first packets hit the trap and are held back while IKE runs.
    await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 2, deadlineSeconds: 4 });
    const status = await pollUntil(() => `CHILD SA of 'net' in left's status\n--- left log ---\n${left.log()}`, 60_000, async () => {
      const s = await left.status();
      return childOf(s, 'net') ? s : undefined;
    }, 500);
    const child = childOf(status, 'net');
    expect(child!.localTs).toEqual([topo.left.insideNet4]);
    expect(status.ikeSas.filter((sa) => sa.name === 'net')).toHaveLength(1);
    expect(left.log()).toContain("hit the trap of conn 'net'");
    // The CHILD SA's policy took the trap's place: still one out policy.
    const after = await xfrmText(topo.left.ns);
    expect(policyBlocks(after.policies, ...netOut(), 'out')).toHaveLength(1);
    expect(after.states).toContain(`spi 0x${child!.spiOut}`);
    const again = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
    expect(again.received, again.output).toBe(3);
  }, 90_000);

  it('ipsec down keeps the trap; unroute removes it; route installs it again', async () => {
    expect((await left.ipsec(['down', 'net'])).exitCode).toBe(0);
    let kernel = await xfrmText(topo.left.ns);
    expect(kernel.states.trim()).toBe('');
    expect(policyBlocks(kernel.policies, ...netOut(), 'out')).toHaveLength(1);

    const unrouted = await left.ipsec(['unroute', 'net']);
    expect(unrouted.stdout).toBe("'net' unrouted\n");
    kernel = await xfrmText(topo.left.ns);
    expect(kernel.policies.trim()).toBe('');

    const routed = await left.ipsec(['route', 'net']);
    expect(routed.stdout).toBe("'net' routed\n");
    kernel = await xfrmText(topo.left.ns);
    expect(policyBlocks(kernel.policies, ...netOut(), 'out')).toHaveLength(1);
    expect((await left.ipsec(['status'])).stdout).toMatch(/Routed Connections:\n\s+net\{\d+\}:  ROUTED, TUNNEL/);
  }, 60_000);

  it('dpdaction=hold: a dead peer\'s SAs go and a trap takes their place', async () => {
    await left.up('host');
    const pid = Number.parseInt(readFileSync(join(right.paths.rundir, 'nodeswan.pid'), 'utf8'), 10);
    process.kill(pid, 'SIGKILL');
    await run(['tail', `--pid=${pid}`, '-f', '/dev/null'], { timeoutMs: 30_000 });
    const held = await pollUntil('left holds the host conn', (DPD_DELAY_S + DPD_TIMEOUT_S) * 1000 + 10_000, async () => {
      const s = await left.status();
      return connOf(s, 'host')?.trap && !childOf(s, 'host') ? s : undefined;
    }, 500);
    expect(connOf(held, 'host')?.trap?.reason).toBe('hold');
    const kernel = await xfrmText(topo.left.ns);
    const [trap] = policyBlocks(kernel.policies, `${topo.left.outer4}/32`, `${topo.right.outer4}/32`, 'out');
    expect(trap, kernel.policies).toMatch(/proto esp reqid \d+ mode transport/);
    expect(left.log()).toContain('dpdaction=hold');
  }, 60_000);

  it('ipsec stop leaves no SA and no policy of ours in the kernel', async () => {
    await left.stop();
    const kernel = await xfrmText(topo.left.ns);
    expect(kernel.states.trim()).toBe('');
    expect(kernel.policies.trim()).toBe('');
  }, 60_000);
});
