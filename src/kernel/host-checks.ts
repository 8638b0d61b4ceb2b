// The checks behind `ipsec verify`: can this host run nodeswan? Each check
// yields one line with a status and, when something is wrong, the fix.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { KernelBackend } from './backend.js';
import type { ProbeOutcome, ProbeReport } from './probe.js';
import { noProtocolSupportMessage } from './xfrm/errors.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn/fail. */
  fix?: string;
}

/** Runs the kernel probe in a fresh network namespace (`unshare --net`). */
export function runProbeInPrivateNamespace(timeoutMs = 90_000): Promise<ProbeReport> {
  const here = fileURLToPath(import.meta.url);
  const entry = here.replace(/host-checks\.(ts|js)$/, 'probe-main.$1');
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--net', process.execPath, ...process.execArgv, entry], {
      env: { ...process.env, NODESWAN_PRIVATE_NETNS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) {
        try {
          resolve(JSON.parse(out) as ProbeReport);
          return;
        } catch {
          /* fall through */
        }
      }
      const how = code === null ? `killed by ${signal ?? 'a signal'}${signal === 'SIGTERM' ? ` (timed out after ${timeoutMs / 1000} s)` : ''}` : `exit ${code}`;
      reject(new Error(`probe in a private namespace failed (${how}): ${err.trim().split('\n').pop() ?? ''}`.trimEnd()));
    });
  });
}

export async function checkXfrm(open: () => Promise<KernelBackend>): Promise<CheckResult> {
  const name = 'xfrm netlink';
  try {
    const backend = await open();
    try {
      const [policies, sas] = await Promise.all([backend.listPolicies(), backend.listSas()]);
      return { name, status: 'ok', detail: `reachable (nodeswan owns ${policies.length} policies, ${sas.length} SAs here)` };
    } finally {
      await backend.close();
    }
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: `not reachable: ${(err as Error).message}`,
      fix: 'run as root (CAP_NET_ADMIN); the kernel needs CONFIG_XFRM_USER (modprobe xfrm_user)',
    };
  }
}

/** Turns the probe report into lines: one for ESP, one for AH, one for all algorithms. */
export function probeChecks(report: ProbeReport): CheckResult[] {
  const find = (name: string): ProbeOutcome | undefined => report.protocols.find((p) => p.name === name);
  const lines = [protocolLine('esp', find('ESP (IPv4)'), find('ESP (IPv6)')), protocolLine('ah', find('AH (IPv4)'), find('AH (IPv6)'))];
  if (!find('ESP (IPv4)')?.ok) {
    lines.push({ name: 'algorithms', status: 'skip', detail: 'not probed: needs ESP' });
    return lines;
  }
  const missing = report.algorithms.filter((a) => !a.ok);
  const present = report.algorithms.filter((a) => a.ok).map((a) => a.name.replace(/ \(.*\)$/, ''));
  lines.push(
    missing.length === 0
      ? { name: 'algorithms', status: 'ok', detail: `available: ${present.join(', ')}` }
      : {
          name: 'algorithms',
          status: 'warn',
          detail: `missing: ${missing.map((a) => a.name).join(', ')}; available: ${present.join(', ') || 'none'}`,
          fix: 'load the crypto modules (e.g. modprobe aes_generic gcm chacha20poly1305 sha512) or avoid these proposals',
        },
  );
  return lines;
}

/**
 * One line per protocol. ESP missing is a failure (nothing works without
 * it); AH missing is a warning (only ah= connections need it).
 */
function protocolLine(proto: 'esp' | 'ah', v4: ProbeOutcome | undefined, v6: ProbeOutcome | undefined): CheckResult {
  const name = proto.toUpperCase();
  const bad: CheckStatus = proto === 'esp' ? 'fail' : 'warn';
  const modules = (family: 4 | 6): string => `${proto}${family}`;
  const fix = (families: (4 | 6)[]): string =>
    `load ${families.map(modules).join(' and ')} (modprobe ${families.map(modules).join(' ')}) or boot a kernel that has them` +
    (proto === 'ah' ? ' (only needed for ah= connections)' : '');
  if (v4?.ok && v6?.ok) return { name, status: 'ok', detail: 'IPv4 and IPv6 SAs installed and removed' };
  const missing = (p: ProbeOutcome | undefined): boolean => p?.code === 'KERNEL_NO_PROTOCOL';
  if (missing(v4) && missing(v6)) {
    // The one line an admin needs: the kernel lacks the protocol altogether.
    return { name, status: bad, detail: `${noProtocolSupportMessage(proto, 4)}; IPv6 likewise`, fix: fix([4, 6]) };
  }
  const broken = ([[4, v4], [6, v6]] as const).filter(([, p]) => !p?.ok);
  const detail = broken.map(([family, p]) => (missing(p) ? noProtocolSupportMessage(proto, family) : `IPv${family}: ${p?.message ?? 'not probed'}`)).join('; ');
  return { name, status: bad, detail, fix: fix(broken.map(([family]) => family)) };
}

export async function checkForwarding(readSysctl = (path: string) => readFile(path, 'utf8')): Promise<CheckResult> {
  const name = 'IP forwarding';
  try {
    const v4 = (await readSysctl('/proc/sys/net/ipv4/ip_forward')).trim();
    const v6 = (await readSysctl('/proc/sys/net/ipv6/conf/all/forwarding').catch(() => '0')).trim();
    if (v4 === '1' && v6 === '1') return { name, status: 'ok', detail: 'on for IPv4 and IPv6' };
    const off = [v4 !== '1' ? 'net.ipv4.ip_forward' : '', v6 !== '1' ? 'net.ipv6.conf.all.forwarding' : ''].filter(Boolean);
    return {
      name,
      status: 'warn',
      detail: `off (${off.map((k) => `${k}=0`).join(', ')}): fine for host-to-host, needed on site-to-site gateways`,
      fix: off.map((k) => `sysctl -w ${k}=1`).join('; '),
    };
  } catch (err) {
    return { name, status: 'warn', detail: `cannot read sysctl: ${(err as Error).message}`, fix: 'mount /proc' };
  }
}

function bindUdp(type: 'udp4' | 'udp6', port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type, ipv6Only: type === 'udp6' });
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, type === 'udp4' ? '0.0.0.0' : '::', () => resolve(socket));
  });
}

export async function checkPorts(ports = [500, 4500]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const port of ports) {
    const busy: string[] = [];
    let denied = false;
    for (const type of ['udp4', 'udp6'] as const) {
      try {
        (await bindUdp(type, port)).close();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE') busy.push(type === 'udp4' ? 'IPv4' : 'IPv6');
        else if (code === 'EACCES') denied = true;
        else if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') busy.push(`${type}: ${code ?? (err as Error).message}`);
      }
    }
    const name = `UDP ${port}`;
    if (denied) results.push({ name, status: 'fail', detail: 'cannot bind: permission denied', fix: 'run as root (ports below 1024 need CAP_NET_BIND_SERVICE)' });
    else if (busy.length) {
      results.push({
        name,
        status: 'fail',
        detail: `in use (${busy.join(', ')})`,
        fix: `stop the other IKE daemon holding it (see: ss -ulpn 'sport = :${port}')`,
      });
    } else results.push({ name, status: 'ok', detail: 'free' });
  }
  return results;
}

export async function checkNatTraversal(backend: () => Promise<KernelBackend>, espOk: boolean): Promise<CheckResult> {
  const name = 'NAT-T decapsulation';
  let socket: Socket | undefined;
  let kernel: KernelBackend | undefined;
  try {
    socket = await bindUdp('udp4', 0);
    kernel = await backend();
    await kernel.enableUdpEncap(socket);
    await kernel.bypassSocket(socket);
    if (!espOk) {
      // Already reported once on the ESP line; no second failure for the same cause.
      return { name, status: 'skip', detail: 'UDP_ENCAP accepted; decapsulation needs ESP (see the ESP line)' };
    }
    return { name, status: 'ok', detail: 'UDP_ENCAP_ESPINUDP and socket policy bypass accepted' };
  } catch (err) {
    return { name, status: 'fail', detail: (err as Error).message, fix: 'the kernel needs CONFIG_XFRM (UDP_ENCAP) and ESP (esp4)' };
  } finally {
    socket?.close();
    await kernel?.close();
  }
}

const TAG: Record<CheckStatus, string> = { ok: '[ OK ]', warn: '[WARN]', fail: '[FAIL]', skip: '[SKIP]' };

export function formatCheck(c: CheckResult): string {
  return `${TAG[c.status]} ${c.name}: ${c.detail}${c.fix && (c.status === 'fail' || c.status === 'warn') ? ` -> fix: ${c.fix}` : ''}`;
}
