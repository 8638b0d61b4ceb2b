// `ipsec reload` in the kernel lab (issue 6 item 7): a nodeswan pair with
// two host-to-host conns (IPv4 and IPv6), both up. Changing one conn's
// esp= and reloading re-establishes that conn with new SPIs and the new
// proposal, while the other conn's CHILD SAs keep their SPIs (in
// `ipsec status --json` and in `ip xfrm state`) and a ping across it
// running through the reload loses nothing. Then a broken ipsec.conf is
// refused with the same file:line:col lines `ipsec check` prints, and the
// SAs and the traffic stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusChildSa, StatusSnapshot } from '../../src/daemon/engine.js';
import { ipsecScript, NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { createTopology, type Topology } from '../lab/topology.js';
import { xfrmStates } from '../interop/support/kernel-view.js';

function installed(status: StatusSnapshot, conn: string): StatusChildSa | undefined {
  const ike = status.ikeSas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED');
  return ike?.children.find((c) => c.state === 'INSTALLED');
}

function childOf(status: StatusSnapshot, conn: string): StatusChildSa {
  const child = installed(status, conn);
  if (!child) throw new Error(`no installed CHILD SA of '${conn}' in status:\n${JSON.stringify(status, null, 2)}`);
  return child;
}

async function kernelSpis(ns: string): Promise<string[]> {
  return (await xfrmStates(ns)).map((s) => s.spi).sort();
}

/** Polls `check` until it returns a value (bounded); there is no event to await across processes. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A steady ping (5 per second) from `ns`; resolves with the counts when it ends. */
async function steadyPing(ns: string, dst: string, count: number): Promise<{ transmitted: number; received: number; endedAt: number; output: string }> {
  const family = dst.includes(':') ? '-6' : '-4';
  const r = await runIn(ns, ['busybox', 'ping', family, '-q', '-c', String(count), '-i', '0.2', '-w', String(Math.ceil(count / 5) + 20), '-W', '5', dst], {
    allowFailure: true,
    timeoutMs: (count / 5 + 40) * 1000,
  });
  const output = r.stdout + r.stderr;
  const m = /(\d+) packets transmitted, (\d+) packets received/.exec(output);
  return { transmitted: m ? Number(m[1]) : 0, received: m ? Number(m[2]) : 0, endedAt: Date.now(), output };
}

const PSK = 'a shared secret for the reload lab 5Tw9';

describe('ipsec reload with two conns up', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;

  // left initiates; right answers and accepts either ESP proposal for host6.
  const conf = (me: 'left' | 'right', host6Esp: string) => {
    const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
    return `config setup

conn %default
    keyexchange=ikev2
    type=transport
    authby=secret
    auto=add

conn host4
    left=${l.outer4}
    right=${r.outer4}
    esp=aes256gcm16!

conn host6
    left=${l.outer6}
    right=${r.outer6}
    esp=${host6Esp}
`;
  };
  const leftConf = (host6Esp: string) => conf('left', host6Esp);
  const rightConf = () => conf('right', 'aes256gcm16,aes128gcm16!');
  const secrets = () => `${topo.left.outer4} ${topo.right.outer4} : PSK "${PSK}"
${topo.left.outer6} ${topo.right.outer6} : PSK "${PSK}"
`;

  beforeAll(async () => {
    topo = await createTopology();
    [left, right] = await Promise.all([
      NodeswanDaemon.start(topo.left.ns, { conf: leftConf('aes256gcm16!'), secrets: secrets() }, { name: 'left' }),
      NodeswanDaemon.start(topo.right.ns, { conf: rightConf(), secrets: secrets() }, { name: 'right' }),
    ]);
    topo.onDestroy(() => left.destroy());
    topo.onDestroy(() => right.destroy());
    await left.up('host4');
    await left.up('host6');
  }, 240_000);
  afterAll(async () => {
    await topo?.destroy();
  });

  it('a changed conn comes back with new SPIs and proposal; the other keeps its SPIs and loses no ping', async () => {
    const [l0, r0] = [await left.status(), await right.status()];
    const host4 = { left: childOf(l0, 'host4'), right: childOf(r0, 'host4') };
    const host6 = { left: childOf(l0, 'host6'), right: childOf(r0, 'host6') };
    expect(host6.left.proposal).toMatch(/^AES_GCM_16_256/);
    const kernelBefore = { left: await kernelSpis(left.ns), right: await kernelSpis(right.ns) };
    expect(kernelBefore.left).toEqual([host4.left.spiIn, host4.left.spiOut, host6.left.spiIn, host6.left.spiOut].sort());

    left.writeConfig({ conf: leftConf('aes128gcm16!'), secrets: secrets() });
    const ping = steadyPing(left.ns, topo.right.outer4, 40);
    const reload = await left.ipsec(['reload']);
    const reloadedAt = Date.now();
    expect(reload.stderr).toBe('');
    expect(reload.exitCode).toBe(0);
    expect(reload.stdout).toBe('Reloaded configuration: added -; removed -; changed host6; unchanged 1\n');

    const fresh = await eventually('host6 re-established on both ends', async () => {
      const [l, r] = [installed(await left.status(), 'host6'), installed(await right.status(), 'host6')];
      return l && r && l.spiIn !== host6.left.spiIn ? { left: l, right: r } : undefined;
    });
    const pinged = await ping;
    expect(reloadedAt).toBeLessThan(pinged.endedAt); // the reload happened while the ping ran
    expect(pinged.transmitted, pinged.output).toBe(40);
    expect(pinged.received, pinged.output).toBe(40);

    expect(fresh.left.proposal).toMatch(/^AES_GCM_16_128/);
    expect(fresh.left.spiOut).toBe(fresh.right.spiIn);
    expect(fresh.left.spiIn).toBe(fresh.right.spiOut);
    const [l1, r1] = [await left.status(), await right.status()];
    expect([childOf(l1, 'host4').spiIn, childOf(l1, 'host4').spiOut]).toEqual([host4.left.spiIn, host4.left.spiOut]);
    expect([childOf(r1, 'host4').spiIn, childOf(r1, 'host4').spiOut]).toEqual([host4.right.spiIn, host4.right.spiOut]);
    // The kernel: host4's pair untouched, host6's old pair gone on both ends, its new pair in.
    const expectLeft = [host4.left.spiIn, host4.left.spiOut, fresh.left.spiIn, fresh.left.spiOut].sort();
    expect(await kernelSpis(left.ns)).toEqual(expectLeft);
    await eventually('the old host6 pair gone from right', async () => ((await kernelSpis(right.ns)).join() === expectLeft.join() ? true : undefined), 10_000);
    const ping6 = await steadyPing(left.ns, topo.right.outer6!, 5);
    expect(ping6.received, ping6.output).toBe(5);
  }, 180_000);

  it('a broken ipsec.conf is refused with the diagnostics of ipsec check; SAs and traffic stay', async () => {
    const before = { left: await kernelSpis(left.ns), right: await kernelSpis(right.ns) };
    const status = await left.status();
    const spis = ['host4', 'host6'].map((c) => `${childOf(status, c).spiIn}/${childOf(status, c).spiOut}`);

    left.writeConfig({ conf: leftConf('aes128gcm16!').replace('esp=aes128gcm16!', 'esp=aes128gcm16!\n    rekeymargin=soon'), secrets: secrets() });
    // `ipsec check` takes only the file flags, so it is run without the daemon's.
    const check = await runIn(left.ns, [process.execPath, await ipsecScript(), 'check', '--config', left.paths.config, '--secrets', left.paths.secrets], { allowFailure: true });
    const errors = (text: string) => text.split('\n').filter((l) => /:\d+:\d+: error: /.test(l));
    expect(check.exitCode).toBe(1);
    expect(errors(check.stdout)).toHaveLength(1);
    expect(errors(check.stdout)[0]).toMatch(new RegExp(`^${left.paths.config}:\\d+:\\d+: error: .*rekeymargin`));

    const ping = steadyPing(left.ns, topo.right.outer4, 15);
    const refused = await left.ipsec(['reload']);
    expect(refused.exitCode).toBe(1);
    expect(errors(refused.stderr)).toEqual(errors(check.stdout));
    expect(refused.stderr).toContain('the running configuration is kept');
    expect(left.log()).toContain(errors(check.stdout)[0]!.slice(0, 100));
    const pinged = await ping;
    expect(pinged.received, pinged.output).toBe(15);

    const after = await left.status();
    expect(['host4', 'host6'].map((c) => `${childOf(after, c).spiIn}/${childOf(after, c).spiOut}`)).toEqual(spis);
    expect({ left: await kernelSpis(left.ns), right: await kernelSpis(right.ns) }).toEqual(before);
    const ping6 = await steadyPing(left.ns, topo.right.outer6!, 5);
    expect(ping6.received, ping6.output).toBe(5);
  });
});
