// Simultaneous rekeys between strongSwan and nodeswan, in the kernel lab:
// charon on the left, nodeswan on the right, both told to rekey the same
// SA at once (`swanctl --rekey` and nodeswan's control socket in the same
// instant), for the CHILD SA and for the IKE SA. netem delays every
// datagram by 1 s each way, so two requests sent within 1 s of each
// other cross on the wire: the collision cannot be dodged by one end
// finishing first. After each round exactly one IKE SA with one CHILD SA is
// left on each side, both ends list the same SPIs, each kernel holds exactly
// that SA pair, and a ping passes. Then strongSwan deletes only the CHILD
// SA, and nodeswan adds a new one on the same IKE SA, once for a packet
// that hits its trap and once for `ipsec up`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { xfrmStates } from './support/kernel-view.js';
import { ControlLine, statusOf } from '../lab/control-line.js';
import { run } from '../lab/netns.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ping } from '../lab/ping.js';
import { pollUntil } from '../lab/poll.js';
import { Charon, type SwanIkeSa } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'strongSwan rekey collision secret 8qTe2';
const CHILD_ROUNDS = 4;
const IKE_ROUNDS = 2;

interface Round {
  ikeSpis: string[];
  childSpis: string[];
}

/** How often `pattern` (global) occurs in `text`. */
const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;
const hex = (value: string | undefined, width: number) => (value ?? '').replace(/^0x/, '').padStart(width, '0');

describe('strongSwan and nodeswan rekey at once', () => {
  let topo: Topology;
  let charon: Charon;
  let nodeswan: NodeswanDaemon;

  beforeAll(async () => {
    topo = await createTopology();
    nodeswan = await NodeswanDaemon.start(
      topo.right.ns,
      {
        conf: `conn coll
    keyexchange=ikev2
    authby=secret
    left=${topo.right.outer4}
    right=${topo.left.outer4}
    leftid=@right.example
    rightid=@left.example
    leftsubnet=${topo.right.insideNet4}
    rightsubnet=${topo.left.insideNet4}
    ike=aes256gcm16-prfsha384-x25519!
    esp=aes256gcm16!
    # Only the rounds below rekey.
    lifetime=1h
    ikelifetime=3h
    reauth=no
    auto=add
`,
        secrets: `@right.example @left.example : PSK "${PSK}"\n`,
      },
      { name: 'swan-coll-right' },
    );
    topo.onDestroy(() => nodeswan.destroy());
    charon = await Charon.start(topo.left.ns, { name: 'swan-coll-left', charon: { retransmit_timeout: 8 } });
    topo.onDestroy(() => charon.stop());
    await charon.load({
      connections: {
        coll: {
          version: 2,
          local_addrs: topo.left.outer4,
          remote_addrs: topo.right.outer4,
          proposals: 'aes256gcm16-prfsha384-x25519',
          rekey_time: '3h',
          local: { auth: 'psk', id: 'left.example' },
          remote: { auth: 'psk', id: 'right.example' },
          children: {
            coll: { mode: 'tunnel', esp_proposals: 'aes256gcm16', local_ts: topo.left.insideNet4, remote_ts: topo.right.insideNet4, rekey_time: '1h' },
          },
        },
      },
      secrets: { 'ike-coll': { id: 'right.example', secret: JSON.stringify(PSK) } },
    });
    await charon.initiate('coll');
    for (const ns of [topo.left.ns, topo.right.ns]) await run(['tc', '-n', ns, 'qdisc', 'add', 'dev', 'wan0', 'root', 'netem', 'delay', '1000ms']);
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  /** Both ends asked in the same instant: nodeswan's control line and swanctl are started together. */
  async function rekeyBoth(ike: boolean): Promise<void> {
    const line = await ControlLine.open(nodeswan);
    try {
      const [ours, theirs] = await Promise.all([
        line.send<{ started: number }>('rekey', { conn: 'coll', ike }),
        charon.swanctl(['--rekey', ike ? '--ike' : '--child', 'coll'], true),
      ]);
      expect(ours, JSON.stringify(ours)).toMatchObject({ ok: true, result: { started: 1 } });
      expect(theirs.exitCode, theirs.stdout + theirs.stderr).toBe(0);
    } finally {
      line.close();
    }
  }

  /** Waits until both ends hold one IKE SA with one installed CHILD SA, agree on all SPIs, and each kernel holds exactly that pair. */
  async function settled(what: string): Promise<Round> {
    let last = '';
    return pollUntil(() => `${what}: one IKE SA and one SA pair on each side; last seen ${last}`, 60_000, async () => {
      const [kl, kr] = await Promise.all([xfrmStates(topo.left.ns), xfrmStates(topo.right.ns)]);
      const [ours, theirs] = await Promise.all([statusOf(nodeswan, 'coll'), charon.listSas()]);
      const view = (s: StatusSnapshot) => s.ikeSas.map((sa) => `${sa.state} ${sa.spiI}_${sa.spiR} [${sa.children.map((c) => `${c.state} ${c.spiIn}/${c.spiOut}`).join(' ')}]`);
      const swanView = (sas: SwanIkeSa[]) => sas.map((sa) => `${sa.fields.state} ${sa.fields['initiator-spi']}_${sa.fields['responder-spi']} [${sa.children.map((c) => `${c.fields.state} ${c.fields['spi-in']}/${c.fields['spi-out']}`).join(' ')}]`);
      last = JSON.stringify({ kernel: [kl.length, kr.length], nodeswan: view(ours), strongswan: swanView(theirs) });
      if (kl.length !== 2 || kr.length !== 2 || ours.ikeSas.length !== 1 || theirs.length !== 1) return undefined;
      const [sa, swan] = [ours.ikeSas[0]!, theirs[0]!];
      if (sa.state !== 'ESTABLISHED' || swan.fields.state !== 'ESTABLISHED' || sa.children.length !== 1 || swan.children.length !== 1) return undefined;
      const [child, swanChild] = [sa.children[0]!, swan.children[0]!];
      if (child.state !== 'INSTALLED' || swanChild.fields.state !== 'INSTALLED') return undefined;
      // Both ends name the same IKE SA and the same CHILD SA pair, and the kernels hold exactly it.
      expect([hex(sa.spiI, 16), hex(sa.spiR, 16)], last).toEqual([hex(swan.fields['initiator-spi'], 16), hex(swan.fields['responder-spi'], 16)]);
      expect(hex(child.spiIn, 8), last).toBe(hex(swanChild.fields['spi-out'], 8));
      expect(hex(child.spiOut, 8), last).toBe(hex(swanChild.fields['spi-in'], 8));
      expect(kr.map((s) => hex(s.spi, 8)).sort(), last).toEqual([hex(child.spiIn, 8), hex(child.spiOut, 8)].sort());
      expect(kl.map((s) => hex(s.spi, 8)).sort(), last).toEqual([hex(child.spiIn, 8), hex(child.spiOut, 8)].sort());
      return { ikeSpis: [hex(sa.spiI, 16), hex(sa.spiR, 16)], childSpis: [hex(child.spiIn, 8), hex(child.spiOut, 8)] };
    }, 500);
  }

  const passes = async (what: string) => {
    const echo = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 2 });
    expect(echo.received, `${what}: ${echo.output}`).toBe(2);
  };

  it(`CHILD SA, ${CHILD_ROUNDS} rounds: one pair survives each time, both ends agree, traffic flows`, async () => {
    const started = Date.now();
    let previous = await settled('before the first round');
    for (let round = 1; round <= CHILD_ROUNDS; round++) {
      await rekeyBoth(false);
      const now = await settled(`CHILD SA round ${round}`);
      expect(now.childSpis.some((spi) => previous.childSpis.includes(spi)), `round ${round}: the pair was replaced`).toBe(false);
      expect(now.ikeSpis).toEqual(previous.ikeSpis);
      await passes(`CHILD SA round ${round}`);
      previous = now;
    }
    const ours = nodeswan.log();
    const figures = {
      rounds: CHILD_ROUNDS,
      // nodeswan's view of each round: both exchanges completed and the nonce rule chose.
      collisionsWon: count(ours, /rekey collision won/g),
      collisionsLost: count(ours, /rekey collision lost/g),
      strongSwanSawCollision: count(charon.fileLog(), /CHILD_REKEY collision/g),
      seconds: (Date.now() - started) / 1000,
    };
    process.stderr.write(`[strongSwan rekey collision] CHILD ${JSON.stringify(figures)}\n`);
    // Whether two requests cross depends on how fast the guest starts swanctl:
    // with 400 ms of delay 7 of 8 rounds crossed on a quiet machine but 2 of 6
    // under CI load; with 1.5 s, 6 of 6 on a quiet machine. 1 s makes a file
    // without any crossing very unlikely.
    // Every round must converge either way (above); this shows the file tested
    // real collisions.
    expect(figures.collisionsWon + figures.collisionsLost, JSON.stringify(figures)).toBeGreaterThanOrEqual(1);
  }, 400_000);

  it(`IKE SA, ${IKE_ROUNDS} rounds: one IKE SA survives each time, the CHILD SA moves along, traffic flows`, async () => {
    const started = Date.now();
    let previous = await settled('before the first IKE round');
    for (let round = 1; round <= IKE_ROUNDS; round++) {
      await rekeyBoth(true);
      const now = await pollUntil(`IKE SA round ${round}: new IKE SPIs`, 90_000, async () => {
        const s = await settled(`IKE SA round ${round}`);
        return s.ikeSpis.some((spi) => previous.ikeSpis.includes(spi)) ? undefined : s;
      }, 500);
      expect(now.childSpis).toEqual(previous.childSpis);
      await passes(`IKE SA round ${round}`);
      previous = now;
    }
    const ours = nodeswan.log();
    const figures = {
      rounds: IKE_ROUNDS,
      weRefused: count(ours, /asked for an IKE SA rekey while we rekey: answered TEMPORARY_FAILURE/g),
      theyRefused: count(ours, /answered our IKE SA rekey with TEMPORARY_FAILURE/g),
      strongSwanSawCollision: count(charon.fileLog(), /IKE_REKEY collision/g),
      seconds: (Date.now() - started) / 1000,
    };
    process.stderr.write(`[strongSwan rekey collision] IKE ${JSON.stringify(figures)}\n`);
    // The requests crossed: nodeswan answered strongSwan's with TEMPORARY_FAILURE
    // (strongSwan then let ours complete), or the other way round.
    expect(figures.weRefused + figures.theyRefused, JSON.stringify(figures)).toBeGreaterThanOrEqual(1);
  }, 400_000);

  it('strongSwan deletes only the CHILD SA: a trapped packet, then ipsec up, each add one on the same IKE SA', async () => {
    // No more crossing needed: the delay goes, so the trapped packets do not outwait the negotiation.
    for (const ns of [topo.left.ns, topo.right.ns]) await run(['tc', '-n', ns, 'qdisc', 'del', 'dev', 'wan0', 'root']);
    const before = await settled('before the CHILD SA is deleted');
    const childless = async (what: string) => {
      const gone = await charon.swanctl(['--terminate', '--child', 'coll', '--timeout', '20'], true);
      expect(gone.exitCode, gone.stdout + gone.stderr).toBe(0);
      await pollUntil(`${what}: nodeswan's IKE SA without a CHILD SA`, 30_000, async () => {
        const st = await statusOf(nodeswan, 'coll');
        return st.ikeSas.length === 1 && st.ikeSas[0]!.children.length === 0 && (await xfrmStates(topo.right.ns)).length === 0 ? true : undefined;
      }, 250);
    };

    await childless('first');
    const routed = await nodeswan.ipsec(['route', 'coll']);
    expect(routed.exitCode, routed.stdout + routed.stderr).toBe(0);
    // The first packets wait in the trap's larval state while the CHILD SA is negotiated.
    const echo = await ping(topo.right.ns, topo.left.inside4, { src: topo.right.inside4, count: 4, deadlineSeconds: 20 });
    expect(echo.received, echo.output).toBeGreaterThanOrEqual(1);
    const byTrap = await settled('CHILD SA from the trap');
    expect(byTrap.ikeSpis).toEqual(before.ikeSpis);
    expect(nodeswan.log()).toContain("creating a CHILD SA for conn 'coll' on the existing IKE SA");
    await passes('CHILD SA from the trap');

    await childless('second');
    const up = await nodeswan.ipsec(['up', 'coll'], 60_000);
    expect(up.exitCode, up.stdout + up.stderr).toBe(0);
    const byUp = await settled('CHILD SA from ipsec up');
    expect(byUp.ikeSpis).toEqual(before.ikeSpis);
    await passes('CHILD SA from ipsec up');
  }, 300_000);
});
