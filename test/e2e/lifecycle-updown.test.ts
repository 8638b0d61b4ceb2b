// leftupdown and leftfirewall in the kernel lab (issue 6, item 8): a
// nodeswan pair with a site-to-site tunnel. Left runs a real script
// (given an argument, as strongSwan runs leftupdown through the shell) that
// appends its PLUTO_* view to a file; right has leftfirewall=yes and
// lefthostaccess=yes, so its own `table inet nodeswan` holds accept rules
// bound to the CHILD SA's reqid while the tunnel is up — their counters
// must count the pings that came through the tunnel — and none after
// `ipsec down`; `ipsec stop` removes the table.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { ping } from '../lab/ping.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'updown lab secret 8wQ3e';
const secrets = `@left.example @right.example : PSK "${PSK}"\n`;

function confFor(topo: Topology, me: 'left' | 'right', extra: string): string {
  const left = me === 'left';
  const [l, r] = left ? [topo.left, topo.right] : [topo.right, topo.left];
  return `conn tunnel
    keyexchange=ikev2
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    leftid=@${me}.example
    rightid=@${left ? 'right' : 'left'}.example
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    esp=aes256gcm16
    auto=add
${extra}`;
}

/** Polls `check` until it returns a value (bounded), for effects that happen after the command returned. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('leftupdown script and leftfirewall rules', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  let dir: string;
  let events: string;
  let uniqueId = '';

  // Whole lines only: the shell creates the file (>>) before it writes.
  const lines = () => (existsSync(events) ? readFileSync(events, 'utf8').split('\n').slice(0, -1) : []);
  const table = async () => {
    const r = await runIn(topo.right.ns, ['nft', 'list', 'table', 'inet', 'nodeswan'], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout : undefined;
  };
  const ourRules = (text: string | undefined) => (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l.includes('comment "nodeswan tunnel reqid'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeswan-updown-lab-'));
    events = join(dir, 'events.txt');
    const script = join(dir, 'updown.sh');
    writeFileSync(
      script,
      '#!/bin/sh\n' +
        'echo "$PLUTO_VERB $PLUTO_CONNECTION $PLUTO_MY_CLIENT $PLUTO_PEER_CLIENT $PLUTO_ME $PLUTO_PEER $PLUTO_MY_ID $PLUTO_PEER_ID $PLUTO_PROTO $PLUTO_REQID $PLUTO_UNIQUEID $PLUTO_INTERFACE" >> "$1"\n' +
        'echo "updown ran $PLUTO_VERB"\n',
    );
    chmodSync(script, 0o755);
    topo = await createTopology();
    right = await NodeswanDaemon.start(topo.right.ns, { conf: confFor(topo, 'right', '    leftfirewall=yes\n    lefthostaccess=yes\n'), secrets }, { name: 'right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: confFor(topo, 'left', `    leftupdown="${script} ${events}"\n`), secrets }, { name: 'left' });
    topo.onDestroy(() => left.destroy());
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs up-client with the tunnel\'s values and adds accept rules that match the tunnel\'s traffic', async () => {
    await left.up('tunnel');
    const reqid = Number(/reqid (\d+)/.exec((await runIn(topo.left.ns, ['ip', 'xfrm', 'state'])).stdout)![1]);
    const [up] = await eventually('up-client in the events file', () => (lines().length >= 1 ? lines() : undefined));
    // PLUTO_UNIQUEID is the IKE SA's id (status --json uniqueId); the down line must repeat it.
    expect(up).toMatch(
      new RegExp(`^up-client tunnel ${topo.left.insideNet4} ${topo.right.insideNet4} ${topo.left.outer4} ${topo.right.outer4} left.example right.example esp ${reqid} [1-9]\\d* ${topo.left.wan}$`),
    );
    uniqueId = up!.split(' ')[10]!;
    expect(left.log()).toContain('updown: updown ran up-client');

    const rightReqid = Number(/reqid (\d+)/.exec((await runIn(topo.right.ns, ['ip', 'xfrm', 'state'])).stdout)![1]);
    const rules = await eventually('accept rules on right', async () => {
      const r = ourRules(await table());
      return r.length === 4 ? r : undefined;
    });
    const [fromLeft, toLeft] = [`ip saddr ${topo.left.insideNet4} ip daddr ${topo.right.insideNet4}`, `ip saddr ${topo.right.insideNet4} ip daddr ${topo.left.insideNet4}`];
    expect(rules.filter((r) => r.startsWith(`${fromLeft} ipsec in reqid ${rightReqid} counter`))).toHaveLength(2); // forward + input
    expect(rules.filter((r) => r.startsWith(`${toLeft} ipsec out reqid ${rightReqid} counter`))).toHaveLength(2); // forward + output

    const result = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 3 });
    expect(result.received, result.output).toBe(3);
    const listing = (await table())!;
    // The pings reached right itself: its input and output rules counted them.
    expect(listing).toMatch(new RegExp(`chain input \\{[^}]*ipsec in reqid ${rightReqid} counter packets 3 `));
    expect(listing).toMatch(new RegExp(`chain output \\{[^}]*ipsec out reqid ${rightReqid} counter packets 3 `));
  }, 120_000);

  it('runs down-client on ipsec down and removes the rules; ipsec stop removes the table', async () => {
    const down = await left.ipsec(['down', 'tunnel']);
    expect(down.exitCode, down.stdout + down.stderr).toBe(0);
    await eventually('down-client in the events file', () => (lines().length >= 2 ? true : undefined));
    expect(lines()[1]).toBe(lines()[0]!.replace(/^up-client/, 'down-client'));
    expect(lines()[1]!.split(' ')[10]).toBe(uniqueId);
    await eventually('no accept rules on right', async () => (ourRules(await table()).length === 0 ? true : undefined));
    expect(right.log()).toContain('leftfirewall: accept rules for');

    // Up again, then right stops: its Delete takes left's CHILD SA down too.
    await left.up('tunnel');
    await eventually('accept rules on right again', async () => (ourRules(await table()).length === 4 ? true : undefined));
    const stopped = await right.stop();
    expect(stopped.exitCode, stopped.stdout + stopped.stderr).toBe(0);
    expect(await table()).toBeUndefined();
    await eventually('second down-client', () => (lines().length >= 4 ? true : undefined));
    expect(lines().map((l) => l.split(' ')[0])).toEqual(['up-client', 'down-client', 'up-client', 'down-client']);
  }, 120_000);
});
