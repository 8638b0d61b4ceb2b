// Least privilege at run time (issue 8, item 5). nodeswan does not drop
// capabilities itself: the mechanism is the systemd unit's
// CapabilityBoundingSet/AmbientCapabilities (conf/ipsec.service). This test
// shows that set is enough: a daemon started under `setpriv` with only
// CAP_NET_ADMIN, CAP_NET_BIND_SERVICE and CAP_NET_RAW in its bounding set
// runs with exactly those effective capabilities, binds UDP 500, flushes
// and uses xfrm over netlink, answers an IKE peer and serves a 0600 root
// control socket.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipsecScript, NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { createHostPair, type HostPair } from './host-pair.js';

const CAP_NET_BIND_SERVICE = 10;
const CAP_NET_ADMIN = 12;
const CAP_NET_RAW = 13;
const allowed = (1n << BigInt(CAP_NET_BIND_SERVICE)) | (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW));
const psk = 'capability test secret 3Hs0';

function caps(pid: number): { eff: bigint; bnd: bigint } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => BigInt(`0x${/^(\w+):\s*([0-9a-f]+)$/m.exec(status.split('\n').find((l) => l.startsWith(`${name}:`))!)![2]}`);
  return { eff: field('CapEff'), bnd: field('CapBnd') };
}

describe('the daemon works with only CAP_NET_ADMIN, CAP_NET_BIND_SERVICE and CAP_NET_RAW', () => {
  let pair: HostPair;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  beforeAll(async () => {
    pair = await createHostPair();
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [pair.left, pair.right] : [pair.right, pair.left];
      return `conn host4\n    type=transport\n    authby=secret\n    left=${l.outer4}\n    right=${r.outer4}\n    auto=add\n`;
    };
    const secrets = `${pair.left.outer4} ${pair.right.outer4} : PSK "${psk}"\n`;
    left = await NodeswanDaemon.start(pair.left.ns, { conf: conf('left'), secrets }, { name: 'caps-left' });
    pair.onDestroy(() => left.destroy());
    right = await NodeswanDaemon.start(pair.right.ns, { conf: conf('right'), secrets }, { name: 'caps-right' });
    pair.onDestroy(() => right.destroy());
    // Right again, now confined the way the systemd unit confines it.
    await right.stop();
    const p = right.paths;
    const confined = await runIn(pair.right.ns, [
      'setpriv', '--bounding-set=-all,+net_admin,+net_bind_service,+net_raw',
      process.execPath, await ipsecScript(), 'start',
      '--config', p.config, '--secrets', p.secrets, '--ipsecdir', p.ipsecdir, '--rundir', p.rundir, '--logfile', p.logfile,
    ], { allowFailure: true, timeoutMs: 60_000 });
    expect(confined.exitCode, confined.stdout + confined.stderr + right.log()).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await pair?.destroy();
  });

  it('has exactly the three capabilities, and still negotiates and serves a 0600 root control socket', async () => {
    const pid = (await right.status()).daemon.pid;
    const { eff, bnd } = caps(pid);
    expect(bnd).toBe(allowed);
    expect(eff).toBe(allowed);
    const up = await left.ipsec(['up', 'host4']);
    expect(left.log(), up.stdout + up.stderr + right.log()).toMatch(/IKE SA 'host4' established/);
    const status = await right.status();
    expect(status.ikeSas.some((sa) => sa.name === 'host4' && sa.state === 'ESTABLISHED')).toBe(true);
    expect(status.daemon.listening).toContain('192.0.2.2[500]');
    const socket = statSync(join(right.paths.rundir, 'nodeswan.ctl'));
    expect({ mode: socket.mode & 0o777, uid: socket.uid }).toEqual({ mode: 0o600, uid: 0 });
  }, 120_000);
});
