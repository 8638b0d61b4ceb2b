// Floods and DoS (issue 8, item 2), in the kernel lab: a responder with
// ddos-ike-threshold=20, max-halfopen-ike=100 and a 3 s COOKIE secret
// takes a flood of IKE_SA_INIT requests from spoofed 100.64.0.0/10
// addresses (a raw-socket sender in left's namespace; right routes
// 100.64.0.0/10 back towards left, which drops the answers). The first 20
// requests create half-open SAs (again each time they expire, after 30 s); every later one is answered statelessly
// with N(COOKIE) and creates nothing (no DH). Meanwhile nodeswan on left,
// and then strongSwan on left, initiate to right again and again: each is
// asked for the COOKIE, returns it and establishes. Measured: the rate the
// sender held, how many datagrams the daemon handled, RSS before, during
// and after, half-open SAs, responder SAs (the DH computations) and the
// COOKIE secret version, which moves on every 3 s.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { encodeMessage } from '../../src/wire/message.js';
import { NotifyType } from '../../src/wire/iana/notify-types.js';
import { ikeSaInitRequest } from '../vectors/wire/samples.js';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { exited, runIn, spawnIn, waitForLine } from '../lab/netns.js';
import { Charon, pskHostToHost } from '../lab/strongswan.js';
import { createTopology, type Topology } from '../lab/topology.js';

const psk = 'flood test secret, not for logs 7Qm3';
const threshold = 20;
const halfOpenLimit = 100;
const floodPackets = 6_000;
const floodRate = 500; // datagrams per second asked of the sender: 12 s per flood
const floodMaxSeconds = 30; // the sender stops then even if the lab's CPU held it back
const rssBoundKb = 64 * 1024;
const sender = fileURLToPath(new URL('../hardening/spoofed-flood.py', import.meta.url));
const ikeProposals = 'aes256gcm16-prfsha256-curve25519,aes256gcm16-prfsha384-ecp384';

/** An IKE_SA_INIT request right accepts (AES-GCM-256, PRF-SHA256, X25519), without NAT detection. */
function initTemplate(): string {
  const msg = ikeSaInitRequest();
  const payloads = msg.payloads.filter((p) => !('notifyType' in p && (p.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP || p.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP)));
  return encodeMessage({ ...msg, payloads }).toString('hex');
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

async function udpRcvbufErrors(ns: string): Promise<number> {
  const snmp = (await runIn(ns, ['cat', '/proc/net/snmp'])).stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = snmp.map((l) => l.split(/\s+/));
  return Number(values![names!.indexOf('RcvbufErrors')]);
}

interface FloodReport {
  sent: number;
  errors: number;
  seconds: number;
  rate: number;
}

interface Flood {
  done: Promise<FloodReport>;
  running(): boolean;
}

describe('IKE_SA_INIT flood from spoofed sources: COOKIE mode, bounded state, legitimate peers get in', () => {
  let topo: Topology;
  let right: NodeswanDaemon;
  let rightPid: number;
  let jobDir: string;
  let floods = 0;
  const rss = { beforeKb: 0, maxDuringKb: 0, afterKb: 0 };
  const figures: Record<string, unknown>[] = [];

  async function startFlood(): Promise<Flood> {
    const job = join(jobDir, `flood-${++floods}.json`);
    writeFileSync(job, JSON.stringify({
      address: topo.right.outer4, port: 500, template: initTemplate(), count: floodPackets, rate: floodRate, maxSeconds: floodMaxSeconds,
      // consecutive addresses from 100.64.<floods*64>.1 (inside 100.64.0.0/10)
      firstSource: `100.64.${floods * 64}.1`, sources: floodPackets, spiTag: 0x0f100d00 + floods,
    }));
    // The sender shares the lab's one emulated CPU with the daemon; niced, it
    // stands for an attacker on another machine rather than one that takes
    // the daemon's CPU away (in a first version it starved the daemon so
    // much that only the socket buffer's ~500 datagrams were ever read).
    const child = topo.adopt(spawnIn(topo.left.ns, ['nice', '-n', '19', 'python3', sender, job]));
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    await waitForLine(child, 'stdout', /^started$/, 120_000);
    let finished = false;
    const sampler = setInterval(() => (rss.maxDuringKb = Math.max(rss.maxDuringKb, rssKb(rightPid))), 200);
    const done = exited(child).then((code) => {
      finished = true;
      clearInterval(sampler);
      if (code !== 0) throw new Error(`flood sender exited ${code}: ${err}`);
      return JSON.parse(out.trim().split('\n').pop()!) as FloodReport;
    });
    return { done, running: () => !finished };
  }

  /** Waits (bounded) until right's log says COOKIE mode is on; `ipsec status` is too slow to poll under the flood. */
  async function cookieModeOn(): Promise<void> {
    const deadline = Date.now() + 60_000;
    const pattern = new RegExp(`half-open IKE SAs \\(COOKIE threshold ${threshold}\\): new initiators must return a COOKIE first`);
    while (!pattern.test(right.log())) {
      if (Date.now() > deadline) throw new Error(`COOKIE mode never switched on:\n${right.log().split('\n').slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Runs `attempt` back to back while the flood lasts (at least `min` times); returns successes and tries. */
  async function attemptsDuring(flood: Flood, min: number, attempt: () => Promise<boolean>): Promise<{ ok: number; tries: number; duringFlood: number }> {
    let ok = 0;
    let tries = 0;
    let duringFlood = 0;
    while (tries < min || flood.running()) {
      if (tries >= 10) break;
      if (flood.running()) duringFlood++;
      tries++;
      if (await attempt()) ok++;
    }
    return { ok, tries, duringFlood };
  }

  async function checkAfterFlood(before: StatusSnapshot, report: FloodReport, attempts: { ok: number; tries: number; duringFlood: number }, initiator: string, rcvbufBefore: number) {
    const status: StatusSnapshot = await right.status();
    const load = status.ikeSaInit!;
    const was = before.ikeSaInit!;
    const cookies = (status.drops['cookie-required'] ?? 0) - (before.drops['cookie-required'] ?? 0);
    const responderSas = load.responderSas - was.responderSas;
    const rcvbuf = (await udpRcvbufErrors(topo.right.ns)) - rcvbufBefore;
    const row = {
      initiator,
      floodSent: report.sent,
      floodSeconds: report.seconds,
      floodRate: report.rate,
      sendErrors: report.errors,
      cookiesSent: cookies,
      droppedInSocketBuffer: rcvbuf,
      halfOpen: load.halfOpen,
      responderSas,
      secretVersions: `${was.cookieSecretVersion} -> ${load.cookieSecretVersion}`,
      legit: `${attempts.ok}/${attempts.tries} (${attempts.duringFlood} started while the flood ran)`,
      rss,
    };
    figures.push(row);
    console.log(`flood figures: ${JSON.stringify(row)}`);
    // The sender shares the lab's one emulated CPU with the daemon: its rate is measured, not assumed.
    expect(report.sent).toBeGreaterThan(1000);
    expect(report.sent).toBeLessThanOrEqual(floodPackets);
    expect(report.seconds).toBeLessThan(floodMaxSeconds + 5);
    // Most of the flood got a COOKIE; the rest made the few SAs below the threshold or was lost in the socket buffer.
    expect(cookies + responderSas + rcvbuf).toBeGreaterThan(report.sent * 0.5);
    expect(load.halfOpen).toBeLessThanOrEqual(threshold + 1);
    expect(load.halfOpen).toBeLessThanOrEqual(halfOpenLimit);
    // DH only below the threshold (refilled each time half-open SAs expire, every 30 s) and for the legitimate initiators.
    expect(responderSas).toBeLessThanOrEqual((Math.ceil(report.seconds / 30) + 1) * threshold + 2 * attempts.tries);
    expect(attempts.ok).toBeGreaterThanOrEqual(Math.ceil((attempts.tries * 2) / 3));
    expect(attempts.duringFlood).toBeGreaterThanOrEqual(1);
    // The 3 s secret rotated during the ~10 s flood.
    expect(load.cookieSecretVersion - was.cookieSecretVersion).toBeGreaterThanOrEqual(2);
    expect(rss.maxDuringKb - rss.beforeKb).toBeLessThan(rssBoundKb);
  }

  beforeAll(async () => {
    topo = await createTopology();
    jobDir = mkdtempSync(join(tmpdir(), 'nodeswan-flood-'));
    right = await NodeswanDaemon.start(topo.right.ns, {
      conf: `config setup
    ddos-ike-threshold=${threshold}
    max-halfopen-ike=${halfOpenLimit}
    cookie-secret-lifetime=3s

conn gateway
    type=transport
    authby=secret
    left=${topo.right.outer4}
    right=%any
    ike=${ikeProposals}
    esp=aes256gcm16
    auto=add
`,
      secrets: `${topo.right.outer4} %any : PSK "${psk}"\n`,
    }, { name: 'flood-right' });
    topo.onDestroy(() => right.destroy());
    rightPid = (await right.status()).daemon.pid;
  }, 300_000);

  afterAll(async () => {
    console.log(`flood summary: ${JSON.stringify(figures)}`);
    await topo?.destroy();
  });

  it('a nodeswan initiator establishes during the flood; state, DH work and memory stay bounded', async () => {
    const left = await NodeswanDaemon.start(topo.left.ns, {
      // Short retransmissions: most of what the flood sends dies in right's socket buffer, ours too.
      conf: `conn host4\n    type=transport\n    authby=secret\n    retransmit-interval=500\n    retransmit-timeout=60s\n    left=${topo.left.outer4}\n    right=${topo.right.outer4}\n    ike=${ikeProposals}\n    esp=aes256gcm16\n    auto=add\n`,
      secrets: `${topo.left.outer4} ${topo.right.outer4} : PSK "${psk}"\n`,
    }, { name: 'flood-left' });
    try {
      const before = await right.status();
      expect(before.ikeSaInit).toMatchObject({ halfOpen: 0, cookieMode: false, cookieThreshold: threshold, halfOpenLimit, cookieSecretLifetimeMs: 3000 });
      const rcvbufBefore = await udpRcvbufErrors(topo.right.ns);
      rss.beforeKb = rssKb(rightPid);
      const flood = await startFlood();
      await cookieModeOn();
      const attempts = await attemptsDuring(flood, 3, async () => {
        const up = await left.ipsec(['up', 'host4'], 120_000);
        const ok = up.stdout.includes("connection 'host4' established successfully");
        if (!ok) console.log(`nodeswan attempt failed: ${up.stdout}${up.stderr}`);
        await left.ipsec(['down', 'host4'], 60_000);
        return ok;
      });
      const report = await flood.done;
      rss.afterKb = rssKb(rightPid);
      await checkAfterFlood(before, report, attempts, 'nodeswan', rcvbufBefore);
      // Asked for the COOKIE at least once; an attempt may also land just
      // after a wave of half-open SAs expired, below the threshold.
      const cookieRestarts = left.log().split('\n').filter((l) => l.includes('peer asked for COOKIE; restarting IKE_SA_INIT')).length;
      console.log(`nodeswan attempts that returned a COOKIE: ${cookieRestarts} of ${attempts.tries}`);
      expect(cookieRestarts).toBeGreaterThanOrEqual(1);
      const log = right.log();
      expect(log).toMatch(/COOKIE secret rotated, now version \d+/);
      const statusall = (await right.ipsec(['statusall'])).stdout;
      expect(statusall).toMatch(/COOKIE secret: version \d+, rotates every 3 seconds/);
      console.log(statusall.split('\n').filter((l) => /IKE_SA_INIT admission|half-open|COOKIE|responder SAs/.test(l)).join('\n'));
    } finally {
      await left.destroy();
    }
  }, 400_000);

  it('a strongSwan initiator establishes during the flood', async () => {
    // Retransmissions as short as our initiator's above (about 50 s in all).
    const charon = await Charon.start(topo.left.ns, { name: 'flood-left-swan', charon: { retransmit_tries: 8, retransmit_timeout: 1, retransmit_base: 1.4 } });
    topo.onDestroy(() => charon.kill());
    await charon.load(pskHostToHost({ local: topo.left.outer4, remote: topo.right.outer4, psk, proposals: 'aes256gcm16-prfsha384-ecp384' }));
    const before = await right.status();
    const rcvbufBefore = await udpRcvbufErrors(topo.right.ns);
    const flood = await startFlood();
    await cookieModeOn();
    const attempts = await attemptsDuring(flood, 3, async () => {
      const result = await charon.swanctl(['--initiate', '--child', 'host', '--timeout', '90'], true);
      const ok = result.exitCode === 0 && /CHILD_SA .* established/.test(result.stdout);
      if (!ok) console.log(`strongSwan attempt failed: ${result.stdout}${result.stderr}`);
      await charon.terminateIke('host');
      return ok;
    });
    const report = await flood.done;
    rss.afterKb = rssKb(rightPid);
    expect(charon.fileLog()).toMatch(/COOKIE/);
    await checkAfterFlood(before, report, attempts, 'strongSwan', rcvbufBefore);
  }, 400_000);
});
