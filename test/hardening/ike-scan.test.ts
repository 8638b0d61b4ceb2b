// `ike-scan` (apt package ike-scan) probes a running nodeswan (issue 8,
// item 1): the IKE_SA_INIT answers it gets in IKEv2 mode, and what its
// IKEv1 probes get. Runs on this host: two namespaces joined by a veth,
// the daemon in right, ike-scan in left (IKE_SA_INIT needs no ESP).
// ike-scan's IKEv2 mode sends one fixed proposal (AES-CBC, 3DES, HMAC
// SHA1/MD5, several MODP groups) whose KE payload is of --dhgroup; the
// transforms are varied from our side, through the conn's ike= line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { runIn } from '../lab/netns.js';
import { createHostPair, type HostPair } from './host-pair.js';

function config(ike: string) {
  return {
    conf: `conn gateway\n    authby=secret\n    left=192.0.2.2\n    right=%any\n    ike=${ike}\n    auto=add\n`,
    secrets: ': PSK "ike-scan probe secret 8Tr4"\n',
  };
}

describe('ike-scan against a running nodeswan', () => {
  let pair: HostPair;
  let right: NodeswanDaemon;
  let pid: number;

  const scan = async (...args: string[]) => {
    const r = await runIn(pair.left.ns, ['ike-scan', '--retry=1', '--timeout=1000', '--multiline', ...args, pair.right.outer4], { timeoutMs: 30_000 });
    return r.stdout;
  };
  const drops = async () => (await right.status()).drops;

  beforeAll(async () => {
    pair = await createHostPair();
    right = await NodeswanDaemon.start(pair.right.ns, config('aes128-sha1-modp2048'), { name: 'ike-scan' });
    pair.onDestroy(() => right.destroy());
    pid = (await right.status()).daemon.pid;
  }, 120_000);
  afterAll(async () => {
    // Every probe was survived by the same daemon.
    expect((await right.status()).daemon.pid).toBe(pid);
    await pair?.destroy();
  });

  it('IKEv2, a matching proposal: the IKE_SA_INIT handshake with the transforms we chose', async () => {
    const out = await scan('--ikev2', '--dhgroup=14');
    expect(out).toContain('IKEv2 SA_INIT Handshake returned');
    expect(out).toContain('SA=(Encr=AES_CBC,KeyLength=128 Prf=HMAC_SHA1 Integ=HMAC_SHA1_96 DH_Group=14:modp2048)');
    expect(out).toMatch(/KeyExchange\(260 bytes\)/); // 4 octets of group and reserved + 256 of MODP-2048
    expect(out).toContain('1 returned handshake; 0 returned notify');
  });

  it('IKEv2, the right proposal with a KE of another group: INVALID_KE_PAYLOAD naming ours', async () => {
    const before = (await right.status()).ikeSaInit!;
    for (const group of ['19', '2']) {
      const out = await scan('--ikev2', `--dhgroup=${group}`);
      expect(out).toContain('Notify message 17 (INVALID_KE_PAYLOAD)');
      expect(out).toContain('HDR=(CKY-R=0000000000000000, IKEv2)'); // no SA was kept
    }
    expect(right.log()).toMatch(/peer 192\.0\.2\.1 sent KE MODP_1024, asking for MODP_2048 \(INVALID_KE_PAYLOAD\)/);
    expect(right.log()).toMatch(/peer 192\.0\.2\.1 sent KE ECP_256, asking for MODP_2048 \(INVALID_KE_PAYLOAD\)/);
    // Each probe made a responder SA that was dropped at once; none is left half-open.
    expect((await right.status()).ikeSaInit!).toMatchObject({ halfOpen: before.halfOpen, responderSas: before.responderSas + 2 });
  });

  it('IKEv2, no common proposal: NO_PROPOSAL_CHOSEN', async () => {
    const halfOpen = (await right.status()).ikeSaInit!.halfOpen;
    right.writeConfig(config('aes256gcm16-prfsha384-ecp384'));
    const reload = await right.ipsec(['reload']);
    expect(reload.exitCode, reload.stdout + reload.stderr).toBe(0);
    for (const group of ['14', '19']) {
      const out = await scan('--ikev2', `--dhgroup=${group}`);
      expect(out).toContain('Notify message 14 (NO_PROPOSAL_CHOSEN)');
      expect(out).toContain('0 returned handshake; 1 returned notify');
    }
    expect((await right.status()).ikeSaInit!.halfOpen).toBeLessThanOrEqual(halfOpen);
  });

  it('IKEv1 Main Mode and Aggressive Mode probes: no answer, dropped and counted', async () => {
    const before = (await drops())['malformed-header'] ?? 0;
    for (const mode of [[], ['--aggressive', '--id=probe@example.org']]) {
      const out = await scan(...mode);
      expect(out).toContain('0 returned handshake; 0 returned notify');
    }
    // --retry=1: one datagram per probe
    expect(((await drops())['malformed-header'] ?? 0) - before).toBe(2);
  });
});
