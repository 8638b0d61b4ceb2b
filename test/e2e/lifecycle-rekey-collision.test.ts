// Simultaneous rekeys in the kernel lab (issue 6, "Done when", second
// item): a nodeswan pair, both ends told to rekey at the same moment (the
// two control requests written in the same instant, the way two
// `ipsec rekey` commands would arrive), 20 times for the CHILD SA and a
// few times for the IKE SA. After each round exactly one SA pair is left
// in each kernel, one IKE SA on each side, and a ping passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { xfrmStates } from '../interop/support/kernel-view.js';
import { ControlLine, statusOf } from '../lab/control-line.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { ping } from '../lab/ping.js';
import { pollUntil } from '../lab/poll.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'rekey collision lab secret 3vWz8';
const CHILD_ROUNDS = 20;
const IKE_ROUNDS = 4;

function conf(topo: Topology, me: 'left' | 'right'): string {
  const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
  return `conn coll
    keyexchange=ikev2
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    leftid=@${me}.example
    rightid=@${me === 'left' ? 'right' : 'left'}.example
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    ike=aes256gcm16-prfsha384-x25519
    esp=aes256gcm16
    # Only the rounds below rekey.
    lifetime=1h
    ikelifetime=3h
    auto=add
`;
}

/** Both daemons asked to rekey in the same instant: both lines are written before either answer is read. */
async function rekeyBoth(left: NodeswanDaemon, right: NodeswanDaemon, ike: boolean): Promise<number> {
  const [a, b] = await Promise.all([ControlLine.open(left), ControlLine.open(right)]);
  try {
    const sentAt = process.hrtime.bigint();
    const pending = [a.send<{ started: number }>('rekey', { conn: 'coll', ike }), b.send<{ started: number }>('rekey', { conn: 'coll', ike })];
    const spreadUs = Number(process.hrtime.bigint() - sentAt) / 1000;
    const answers = await Promise.all(pending);
    for (const answer of answers) expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true, result: { started: 1 } });
    return spreadUs;
  } finally {
    a.close();
    b.close();
  }
}

interface Round {
  ikeSpis: string[];
  childSpis: string[];
}

/** Waits until each kernel holds exactly one SA pair and each side one IKE SA with one CHILD SA; returns their SPIs. */
async function settled(topo: Topology, left: NodeswanDaemon, right: NodeswanDaemon, what: string): Promise<Round> {
  let last = '';
  return pollUntil(() => `${what}: one SA pair per kernel, one IKE SA per side; last seen ${last}`, 30_000, async () => {
    const [l, r] = await Promise.all([xfrmStates(topo.left.ns), xfrmStates(topo.right.ns)]);
    const [ls, rs] = await Promise.all([statusOf(left, 'coll'), statusOf(right, 'coll')]);
    const view = (s: StatusSnapshot) => s.ikeSas.map((sa) => `${sa.state} ${sa.spiI}_${sa.spiR} [${sa.children.map((c) => `${c.state} ${c.spiIn}/${c.spiOut}`).join(' ')}]`);
    last = JSON.stringify({ kernel: [l.length, r.length], left: view(ls), right: view(rs) });
    const one = (s: StatusSnapshot) => s.ikeSas.length === 1 && s.ikeSas[0]!.state === 'ESTABLISHED' && s.ikeSas[0]!.children.length === 1 && s.ikeSas[0]!.children[0]!.state === 'INSTALLED';
    if (l.length !== 2 || r.length !== 2 || !one(ls) || !one(rs)) return undefined;
    const [lc, rc] = [ls.ikeSas[0]!.children[0]!, rs.ikeSas[0]!.children[0]!];
    // The two ends agree, and the kernels hold exactly that pair.
    expect(lc.spiOut, last).toBe(rc.spiIn);
    expect(lc.spiIn, last).toBe(rc.spiOut);
    expect(l.map((s) => s.spi).sort(), last).toEqual([lc.spiIn, lc.spiOut].sort());
    expect(r.map((s) => s.spi).sort(), last).toEqual([rc.spiIn, rc.spiOut].sort());
    return { ikeSpis: [ls.ikeSas[0]!.spiI, ls.ikeSas[0]!.spiR], childSpis: [lc.spiIn, lc.spiOut] };
  }, 200);
}

describe('both ends rekey at once', () => {
  let topo: Topology;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  const secrets = `@left.example @right.example : PSK "${PSK}"\n`;

  beforeAll(async () => {
    topo = await createTopology();
    right = await NodeswanDaemon.start(topo.right.ns, { conf: conf(topo, 'right'), secrets }, { name: 'coll-right' });
    topo.onDestroy(() => right.destroy());
    left = await NodeswanDaemon.start(topo.left.ns, { conf: conf(topo, 'left'), secrets }, { name: 'coll-left' });
    topo.onDestroy(() => left.destroy());
    await left.up('coll');
  }, 180_000);

  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  const passes = async (what: string) => {
    const echo = await ping(topo.left.ns, topo.right.inside4, { src: topo.left.inside4, count: 2 });
    expect(echo.received, `${what}: ${echo.output}`).toBe(2);
  };

  it(`CHILD SA, ${CHILD_ROUNDS} rounds: one pair survives each time and traffic flows`, async () => {
    const started = Date.now();
    let previous = await settled(topo, left, right, 'before the first round');
    const spreads: number[] = [];
    for (let round = 1; round <= CHILD_ROUNDS; round++) {
      spreads.push(await rekeyBoth(left, right, false));
      const now = await settled(topo, left, right, `CHILD SA round ${round}`);
      expect(now.childSpis.some((spi) => previous.childSpis.includes(spi)), `round ${round}: the pair was replaced`).toBe(false);
      await passes(`CHILD SA round ${round}`);
      previous = now;
    }
    // How the rounds went: both exchanges completed and the nonce rule chose
    // (the usual case), one end's request came after the other's rekey had
    // finished (CHILD_SA_NOT_FOUND), or one end found its request window
    // busy and rekeyed the new pair a second later (two plain rekeys).
    const logs = left.log() + right.log();
    const figures = {
      rounds: CHILD_ROUNDS,
      collisionsWon: (logs.match(/rekey collision won/g) ?? []).length,
      collisionsLost: (logs.match(/rekey collision lost/g) ?? []).length,
      refusedNotFound: (logs.match(/refused to rekey CHILD SA [0-9a-f]+ of conn 'coll' \(CHILD_SA_NOT_FOUND\)/g) ?? []).length,
      plainRekeys: (logs.match(/CHILD SA [0-9a-f]{8} rekeyed: new pair/g) ?? []).length,
      maxWriteSpreadUs: Math.round(Math.max(...spreads)),
      seconds: (Date.now() - started) / 1000,
    };
    process.stderr.write(`[rekey collision] CHILD ${JSON.stringify(figures)}\n`);
    // A nonce-rule round has exactly one winner and one loser; most rounds are real collisions.
    expect(figures.collisionsWon, JSON.stringify(figures)).toBe(figures.collisionsLost);
    expect(figures.collisionsWon, JSON.stringify(figures)).toBeGreaterThanOrEqual(CHILD_ROUNDS / 2);
  }, 300_000);

  it(`IKE SA, ${IKE_ROUNDS} rounds: one IKE SA survives each time, the CHILD SA moves along, traffic flows`, async () => {
    const started = Date.now();
    let previous = await settled(topo, left, right, 'before the first IKE round');
    for (let round = 1; round <= IKE_ROUNDS; round++) {
      await rekeyBoth(left, right, true);
      // The crossing rekeys are settled (a retry after TEMPORARY_FAILURE, or the nonce rule): wait for new IKE SPIs.
      const now = await pollUntil(`IKE SA round ${round}: new IKE SPIs`, 45_000, async () => {
        const s = await settled(topo, left, right, `IKE SA round ${round}`);
        return s.ikeSpis.some((spi) => previous.ikeSpis.includes(spi)) ? undefined : s;
      }, 500);
      expect(now.childSpis).toEqual(previous.childSpis);
      await passes(`IKE SA round ${round}`);
      previous = now;
    }
    const logs = left.log() + right.log();
    const figures = {
      rounds: IKE_ROUNDS,
      // Crossing IKE SA rekeys are both refused (TEMPORARY_FAILURE) and retried after a random pause.
      refusedTemporaryFailure: (logs.match(/answered our IKE SA rekey with TEMPORARY_FAILURE/g) ?? []).length,
      rekeyedByUs: (logs.match(/IKE SA rekeyed by us/g) ?? []).length,
      seconds: (Date.now() - started) / 1000,
    };
    process.stderr.write(`[rekey collision] IKE ${JSON.stringify(figures)}\n`);
    expect(figures.rekeyedByUs, JSON.stringify(figures)).toBeGreaterThanOrEqual(IKE_ROUNDS);
  }, 300_000);
});
