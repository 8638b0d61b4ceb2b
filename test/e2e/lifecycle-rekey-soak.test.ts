// Rekeying under traffic in the kernel lab (issue 6, "Done when", first
// item). Lifetimes of a few seconds and a ping every 200 ms for 60 s
// across (a) a nodeswan pair and (b) strongSwan (left) against nodeswan
// (right), both at the same time in their own namespaces. Both ends of each
// pair rekey with fuzz, so each of them starts some of the CHILD SA and IKE
// SA rekeys. Asserted per pair: at most one echo lost in the minute, at
// least 5 CHILD SA and 2 IKE SA rekeys, rekeys started from both ends, and
// at the end exactly one CHILD SA pair in each kernel and one IKE SA on
// each side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { xfrmStates } from '../interop/support/kernel-view.js';
import { runIn } from '../lab/netns.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { statusOf } from '../lab/control-line.js';
import { pollUntil } from '../lab/poll.js';
import { Charon } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

const PSK = 'rekey soak lab secret 9dLq2';
const SOAK_SECONDS = 60;
const PINGS = SOAK_SECONDS * 5;

// CHILD SAs live 20 s; each end starts a rekey 4-12 s after the SA was
// made (rekeymargin 8 s, rekeyfuzz 100%) and whichever end draws the
// earlier time does it: about 9 per minute, from both ends, with 8 s or
// more left for a slow exchange before the hard lifetime. IKE SAs
// (30 s) are rekeyed 14-22 s after they were made, about 3 per minute.
// reauth=no: IKE SAs are rekeyed with CREATE_CHILD_SA, which is what this
// test counts (reauth=yes, the default, would replace them instead).
const NODESWAN_TIMING = `    lifetime=20s
    reauth=no
    ikelifetime=30s
    rekeymargin=8s
    rekeyfuzz=100%`;

function nodeswanConf(topo: Topology, me: 'left' | 'right'): string {
  const [l, r] = me === 'left' ? [topo.left, topo.right] : [topo.right, topo.left];
  return `conn soak
    keyexchange=ikev2
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    leftid=@${me}.example
    rightid=@${me === 'left' ? 'right' : 'left'}.example
    leftsubnet=${l.insideNet4}
    rightsubnet=${r.insideNet4}
    ike=aes256gcm16-prfsha384-ecp384
    esp=aes256gcm16
${NODESWAN_TIMING}
    auto=add
`;
}

const secrets = `@left.example @right.example : PSK "${PSK}"\n`;

interface Figures {
  pair: string;
  transmitted: number;
  received: number;
  /** Rekeys each end started and saw through (collision losers included). */
  childBy: { left: number; right: number };
  ikeBy: { left: number; right: number };
  /** Rekeys that happened (each collision counted once). */
  childRekeys: number;
  ikeRekeys: number;
  kernelStates: { left: number; right: number };
  ikeSas: { left: number; right: number };
  seconds: number;
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'gm')) ?? []).length;

/** nodeswan's own log: rekeys it started and completed, and rekeys it answered. */
function nodeswanCounts(log: string) {
  return {
    childStarted: count(log, /CHILD SA [0-9a-f]{8} (rekeyed|rekey collision won|rekey collision lost)[^:]*: new pair/),
    childDone: count(log, /CHILD SA [0-9a-f]{8} (rekeyed|rekey collision won)[^:]*: new pair/),
    childWon: count(log, /CHILD SA [0-9a-f]{8} rekey collision won/),
    childAnswered: count(log, /rekeyed CHILD SA [0-9a-f]+ for conn/),
    ikeStarted: count(log, /IKE SA rekeyed by us: new SPIs/),
    ikeAnswered: count(log, /IKE SA '[^']+' rekeyed by /),
  };
}

/**
 * Polls until both kernels hold exactly one SA pair and both sides one IKE
 * SA (rekeys go on meanwhile, each leaves two pairs for a moment); returns
 * what it saw last, so the assertion can show a pair that never settles.
 */
async function settledCounts(topo: Topology, ikeSas: () => Promise<{ left: number; right: number }>) {
  let last = { kernelStates: { left: -1, right: -1 }, ikeSas: { left: -1, right: -1 } };
  // strongSwan keeps a rekeyed inbound SA 5 s longer (delete_rekeyed_delay)
  // and the SAs rekey every few seconds: the moments with exactly one pair
  // are short, so the kernels are looked at first and the daemons only then.
  return pollUntil('', 90_000, async () => {
    const [l, r] = await Promise.all([xfrmStates(topo.left.ns), xfrmStates(topo.right.ns)]);
    last = { ...last, kernelStates: { left: l.length, right: r.length } };
    if (l.length !== 2 || r.length !== 2) return undefined;
    last = { ...last, ikeSas: await ikeSas() };
    return last.ikeSas.left === 1 && last.ikeSas.right === 1 ? last : undefined;
  }, 200).catch(() => last);
}

/** The lines worth reading when a pair fails: warnings, errors, deletes, retransmits. */
function digest(log: string): string {
  return log
    .split('\n')
    .filter((l) => /warn|error|WRN|ERR|delet|retransmit|giving up|TEMPORARY_FAILURE|expired|collision|establish|rekey|refus|generating CREATE_CHILD_SA|closing|received DELETE|NOTIFY/i.test(l))
    .slice(-120)
    .join('\n');
}

async function pingMinute(topo: Topology): Promise<{ transmitted: number; received: number; output: string }> {
  const { stdout, stderr } = await runIn(
    topo.left.ns,
    ['busybox', 'ping', '-4', '-q', '-i', '0.2', '-c', String(PINGS), '-w', String(SOAK_SECONDS * 2), '-W', '5', '-I', topo.left.inside4, topo.right.inside4],
    { allowFailure: true, timeoutMs: (SOAK_SECONDS * 2 + 15) * 1000 },
  );
  const output = stdout + stderr;
  const match = /(\d+) packets transmitted, (\d+) packets received/.exec(output);
  return { transmitted: match ? Number(match[1]) : 0, received: match ? Number(match[2]) : 0, output };
}

const established = (s: StatusSnapshot) => s.ikeSas.filter((sa) => sa.state === 'ESTABLISHED').length;

describe('rekeying under a continuous ping for a minute', () => {
  const topos: Topology[] = [];
  let nodeswanPair: { topo: Topology; left: NodeswanDaemon; right: NodeswanDaemon };
  let mixedPair: { topo: Topology; left: Charon; right: NodeswanDaemon };

  beforeAll(async () => {
    const setupStarted = Date.now();
    // One thing at a time: the lab has one (emulated) CPU.
    const a = await createTopology();
    topos.push(a);
    const b = await createTopology();
    topos.push(b);
    const aRight = await NodeswanDaemon.start(a.right.ns, { conf: nodeswanConf(a, 'right'), secrets }, { name: 'soak-a-right' });
    a.onDestroy(() => aRight.destroy());
    const aLeft = await NodeswanDaemon.start(a.left.ns, { conf: nodeswanConf(a, 'left'), secrets }, { name: 'soak-a-left' });
    a.onDestroy(() => aLeft.destroy());
    const bRight = await NodeswanDaemon.start(b.right.ns, { conf: nodeswanConf(b, 'right'), secrets }, { name: 'soak-b-right' });
    b.onDestroy(() => bRight.destroy());
    const charon = await Charon.start(b.left.ns, { name: 'soak-b-left' });
    b.onDestroy(() => charon.stop());
    // strongSwan's CHILD SAs: rekey 4-12 s after creation, 20 s at most; its IKE SAs 14-22 s, 30 s at most.
    await charon.load({
      connections: {
        soak: {
          version: 2,
          local_addrs: b.left.outer4,
          remote_addrs: b.right.outer4,
          proposals: 'aes256gcm16-prfsha384-ecp384',
          rekey_time: '22s',
          rand_time: '8s',
          over_time: '8s',
          local: { auth: 'psk', id: 'left.example' },
          remote: { auth: 'psk', id: 'right.example' },
          children: {
            soak: {
              mode: 'tunnel',
              esp_proposals: 'aes256gcm16',
              local_ts: b.left.insideNet4,
              remote_ts: b.right.insideNet4,
              rekey_time: '12s',
              rand_time: '8s',
              life_time: '20s',
            },
          },
        },
      },
      secrets: { 'ike-soak': { id: 'right.example', secret: JSON.stringify(PSK) } },
    });
    await aLeft.up('soak');
    await charon.initiate('soak');
    nodeswanPair = { topo: a, left: aLeft, right: aRight };
    mixedPair = { topo: b, left: charon, right: bRight };
    process.stderr.write(`[rekey soak] set up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s\n`);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(topos.map((t) => t.destroy()));
  }, 60_000);

  it('keeps the tunnels up through every rekey: nodeswan pair and strongSwan/nodeswan pair at once', async () => {
    const started = Date.now();
    const logs = new Map<string, string>();
    const soakA = (async (): Promise<Figures> => {
      const { topo, left, right } = nodeswanPair;
      const pinged = await pingMinute(topo);
      const settled = await settledCounts(topo, async () => ({ left: established(await statusOf(left, 'soak')), right: established(await statusOf(right, 'soak')) }));
      logs.set('nodeswan/nodeswan', `--- left ---\n${digest(left.log())}\n--- right ---\n${digest(right.log())}`);
      const l = nodeswanCounts(left.log());
      const r = nodeswanCounts(right.log());
      return {
        pair: 'nodeswan/nodeswan',
        transmitted: pinged.transmitted,
        received: pinged.received,
        childBy: { left: l.childStarted, right: r.childStarted },
        ikeBy: { left: l.ikeStarted, right: r.ikeStarted },
        childRekeys: l.childDone + r.childDone,
        ikeRekeys: l.ikeStarted + r.ikeStarted,
        ...settled,
        seconds: (Date.now() - started) / 1000,
      };
    })();
    const soakB = (async (): Promise<Figures> => {
      const { topo, left: charon, right } = mixedPair;
      const pinged = await pingMinute(topo);
      const settled = await settledCounts(topo, async () => ({
        left: (await charon.listSas()).filter((sa) => sa.fields.state === 'ESTABLISHED').length,
        right: established(await statusOf(right, 'soak')),
      }));
      logs.set('strongSwan/nodeswan', `--- charon (left) ---\n${digest(charon.fileLog())}\n--- nodeswan (right) ---\n${digest(right.log())}`);
      const r = nodeswanCounts(right.log());
      const charonLog = charon.fileLog();
      // strongSwan's requests as its log shows them ("generating CREATE_CHILD_SA request N [ N(REKEY_SA) SA No ... ]" for
      // a CHILD SA, "[ SA No KE ]" for the IKE SA), cross-checked against what nodeswan answered.
      const charonChild = count(charonLog, /generating CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\)/);
      const charonIke = count(charonLog, /generating CREATE_CHILD_SA request \d+ \[ SA No KE \]/);
      expect(r.childAnswered).toBeLessThanOrEqual(charonChild);
      expect(r.ikeAnswered).toBeLessThanOrEqual(charonIke);
      return {
        pair: 'strongSwan/nodeswan',
        transmitted: pinged.transmitted,
        received: pinged.received,
        childBy: { left: r.childAnswered, right: r.childStarted },
        ikeBy: { left: r.ikeAnswered, right: r.ikeStarted },
        // A collision nodeswan won is in both counts: once is enough.
        childRekeys: r.childAnswered + r.childDone - r.childWon,
        ikeRekeys: r.ikeAnswered + r.ikeStarted,
        ...settled,
        seconds: (Date.now() - started) / 1000,
      };
    })();
    const figures = await Promise.all([soakA, soakB]);
    process.stderr.write(`[rekey soak] ${JSON.stringify(figures)}\n`);
    for (const f of figures) {
      const context = `${f.pair}: ${JSON.stringify(f)}\n${logs.get(f.pair)}`;
      // Soft: a failing pair does not hide the other pair's figures and log.
      expect.soft(f.transmitted, context).toBe(PINGS);
      expect.soft(f.transmitted - f.received, context).toBeLessThanOrEqual(1);
      expect.soft(f.childRekeys, context).toBeGreaterThanOrEqual(5);
      expect.soft(f.ikeRekeys, context).toBeGreaterThanOrEqual(2);
      // Which end starts a rekey is a fair coin per rekey; over the ~12
      // CHILD and IKE rekeys of a minute both ends start some (a one-sided
      // minute has odds of about 2^-11). The split per kind is in the figures.
      expect.soft(f.childBy.left + f.ikeBy.left, context).toBeGreaterThanOrEqual(1);
      expect.soft(f.childBy.right + f.ikeBy.right, context).toBeGreaterThanOrEqual(1);
      expect.soft(f.kernelStates, context).toEqual({ left: 2, right: 2 });
      expect.soft(f.ikeSas, context).toEqual({ left: 1, right: 1 });
    }
  }, 400_000);
});
