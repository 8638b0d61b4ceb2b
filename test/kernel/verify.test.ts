// `ipsec verify`, run for real inside a private network namespace (so the
// port checks see a clean slate), plus the pure line-building rules.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkForwarding, formatCheck, probeChecks } from '../../src/kernel/host-checks.js';
import type { ProbeReport } from '../../src/kernel/probe.js';

const ns = `nodeswan-verify-${process.pid}`;

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
});
afterAll(() => {
  execFileSync('ip', ['netns', 'del', ns]);
});

function verifyInNamespace(): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'verify'], { encoding: 'utf8', timeout: 80_000 });
  return { status: r.status, lines: r.stdout.trim().split('\n'), stderr: r.stderr };
}

/** Independent oracle: can iproute2 install an ESP state in this kernel? */
function kernelHasEsp(): boolean {
  const r = spawnSync('ip', ['-n', ns, 'xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x100', 'mode', 'tunnel', 'enc', 'cbc(aes)', '0x' + '11'.repeat(16), 'auth-trunc', 'hmac(sha256)', '0x' + '22'.repeat(32), '128'], { encoding: 'utf8' });
  spawnSync('ip', ['-n', ns, 'xfrm', 'state', 'flush']);
  return r.status === 0;
}

describe('ipsec verify on this host', () => {
  it('prints one line per check and reports ESP support (or its absence) in one line', () => {
    const { status, lines, stderr } = verifyInNamespace();
    expect(stderr).toBe('');
    expect(lines[0]).toBe('[ OK ] xfrm netlink: reachable (nodeswan owns 0 policies, 0 SAs here)');
    expect(lines.map((l) => l.slice(7, l.indexOf(':')))).toEqual(['xfrm netlink', 'ESP', 'AH', 'algorithms', 'IP forwarding', 'UDP 500', 'UDP 4500', 'NAT-T decapsulation']);
    expect(lines).toContain('[ OK ] UDP 500: free');
    expect(lines).toContain('[ OK ] UDP 4500: free');
    const espLines = lines.filter((l) => /ESP support/.test(l));
    if (kernelHasEsp()) {
      expect(lines[1]).toBe('[ OK ] ESP: IPv4 and IPv6 SAs installed and removed');
      expect(espLines).toEqual([]);
      expect(status).toBe(0);
    } else {
      expect(espLines).toEqual([
        '[FAIL] ESP: this kernel has no ESP support (CONFIG_INET_ESP / esp4 module); IPv6 likewise -> fix: load esp4 and esp6 (modprobe esp4 esp6) or boot a kernel that has them',
      ]);
      expect(lines.filter((l) => l.startsWith('[FAIL]'))).toEqual(espLines);
      expect(status).toBe(1);
    }
  }, 90_000);

  it('names a busy IKE port and how to find who holds it', async () => {
    const holder = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.bind(500,'0.0.0.0',()=>console.log('bound'));setInterval(()=>{},1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const { status, lines } = verifyInNamespace();
      expect(lines).toContain("[FAIL] UDP 500: in use (IPv4) -> fix: stop the other IKE daemon holding it (see: ss -ulpn 'sport = :500')");
      expect(lines).toContain('[ OK ] UDP 4500: free');
      expect(status).toBe(1);
    } finally {
      holder.kill();
    }
  }, 90_000);
});

describe('verify lines', () => {
  const ok = (name: string) => ({ name, ok: true });
  const noProto = (name: string) => ({ name, ok: false, code: 'KERNEL_NO_PROTOCOL', message: 'x' });

  it('a complete kernel gives OK lines and lists the algorithms', () => {
    const report: ProbeReport = {
      protocols: [ok('ESP (IPv4)'), ok('ESP (IPv6)'), ok('AH (IPv4)'), ok('AH (IPv6)')],
      algorithms: [ok('AES-GCM-16 (rfc4106(gcm(aes)))'), ok('AES-CBC (cbc(aes))')],
    };
    expect(probeChecks(report).map(formatCheck)).toEqual([
      '[ OK ] ESP: IPv4 and IPv6 SAs installed and removed',
      '[ OK ] AH: IPv4 and IPv6 SAs installed and removed',
      '[ OK ] algorithms: available: AES-GCM-16, AES-CBC',
    ]);
  });

  it('a missing IPv6 ESP module fails with its own module name; missing algorithms warn', () => {
    const report: ProbeReport = {
      protocols: [ok('ESP (IPv4)'), noProto('ESP (IPv6)'), ok('AH (IPv4)'), ok('AH (IPv6)')],
      algorithms: [ok('AES-GCM-16 (rfc4106(gcm(aes)))'), { name: 'ChaCha20-Poly1305 (rfc7539esp(chacha20,poly1305))', ok: false, code: 'KERNEL_NO_ALGORITHM' }],
    };
    expect(probeChecks(report).map(formatCheck)).toEqual([
      '[FAIL] ESP: this kernel has no ESP support (CONFIG_INET6_ESP / esp6 module) -> fix: load esp6 (modprobe esp6) or boot a kernel that has them',
      '[ OK ] AH: IPv4 and IPv6 SAs installed and removed',
      '[WARN] algorithms: missing: ChaCha20-Poly1305 (rfc7539esp(chacha20,poly1305)); available: AES-GCM-16 -> fix: load the crypto modules (e.g. modprobe aes_generic gcm chacha20poly1305 sha512) or avoid these proposals',
    ]);
  });

  it('forwarding: warns with the sysctl to set, OK when both families forward', async () => {
    const off = await checkForwarding(async (p) => (p.includes('ipv4') ? '0\n' : '1\n'));
    expect(formatCheck(off)).toBe(
      '[WARN] IP forwarding: off (net.ipv4.ip_forward=0): fine for host-to-host, needed on site-to-site gateways -> fix: sysctl -w net.ipv4.ip_forward=1',
    );
    expect((await checkForwarding(async () => '1\n')).status).toBe('ok');
  });
});
