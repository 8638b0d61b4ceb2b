// The production daemon (ipsec.conf loader, xfrm backend, UDP 500/4500,
// the IKE engine) started by the real `ipsec` command in two network
// namespaces made here and removed afterwards: the daemons find each other,
// establish an IKE SA, and `ipsec stop` leaves no nodeswan state in either
// kernel. Needs root and iproute2 (like test/kernel/xfrm-netns.test.ts).
// Whether the CHILD SA installs depends on the kernel's ESP support: with
// it both ends show it INSTALLED; without it `ipsec up` must fail with one
// line naming the missing kernel algorithm. The kernel lab covers traffic.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/daemon/engine.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const tag = `${process.pid}`;
const sides = {
  a: { ns: `nsw-a-${tag}`, dev: `nswa${tag}`.slice(0, 15), address: '198.51.100.1', peer: '198.51.100.2' },
  b: { ns: `nsw-b-${tag}`, dev: `nswb${tag}`.slice(0, 15), address: '198.51.100.2', peer: '198.51.100.1' },
} as const;
type Side = keyof typeof sides;
const dir = mkdtempSync(join(tmpdir(), 'nodeswan-netns-'));
const PSK = 'netns-daemon-psk-1729';

function flags(side: Side): string[] {
  const d = join(dir, side);
  return ['--rundir', join(d, 'run'), '--config', join(d, 'ipsec.conf'), '--secrets', join(d, 'ipsec.secrets'), '--ipsecdir', d, '--logfile', join(d, 'log')];
}

function ipsec(side: Side, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', sides[side].ns, process.execPath, '--import', 'tsx', MAIN, ...args, ...flags(side)], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 99) : 0, stdout, stderr });
    });
  });
}

async function status(side: Side): Promise<StatusSnapshot> {
  const r = await ipsec(side, ['status', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as StatusSnapshot;
}

function xfrm(side: Side, what: 'state' | 'policy'): string {
  return execFileSync('ip', ['-n', sides[side].ns, 'xfrm', what], { encoding: 'utf8' });
}

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', sides.a.ns]);
  execFileSync('ip', ['netns', 'add', sides.b.ns]);
  execFileSync('ip', ['link', 'add', sides.a.dev, 'netns', sides.a.ns, 'type', 'veth', 'peer', 'name', sides.b.dev, 'netns', sides.b.ns]);
  for (const side of ['a', 'b'] as const) {
    const s = sides[side];
    execFileSync('ip', ['-n', s.ns, 'addr', 'add', `${s.address}/24`, 'dev', s.dev]);
    execFileSync('ip', ['-n', s.ns, 'link', 'set', s.dev, 'up']);
    execFileSync('ip', ['-n', s.ns, 'link', 'set', 'lo', 'up']);
    const d = join(dir, side);
    mkdirSync(d);
    writeFileSync(
      join(d, 'ipsec.conf'),
      `config setup\n\nconn host\n    left=${s.address}\n    right=${s.peer}\n    type=transport\n    authby=secret\n    auto=add\n`,
    );
    writeFileSync(join(d, 'ipsec.secrets'), `${s.address} ${s.peer} : PSK "${PSK}"\n`);
    chmodSync(join(d, 'ipsec.secrets'), 0o600);
  }
});

afterAll(async () => {
  for (const side of ['a', 'b'] as const) await ipsec(side, ['stop']);
  for (const side of ['a', 'b'] as const) execFileSync('ip', ['netns', 'del', sides[side].ns]);
  rmSync(dir, { recursive: true, force: true });
});

describe('production daemons in two namespaces', { timeout: 120_000 }, () => {
  it('start, establish an IKE SA through `ipsec up`, stop with clean kernels', async () => {
    for (const side of ['a', 'b'] as const) {
      const r = await ipsec(side, ['start']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Starting nodeswan IPsec daemon \(pid \d+\)\n$/);
      expect((await status(side)).daemon.listening).toEqual(
        expect.arrayContaining([`${sides[side].address}[500]`, `${sides[side].address}[4500]`, '0.0.0.0[500]', '::[4500]']),
      );
    }

    const up = await ipsec('a', ['up', 'host']);
    const [a, b] = [await status('a'), await status('b')];
    const ikeA = a.ikeSas.find((s) => s.state === 'ESTABLISHED');
    const ikeB = b.ikeSas.find((s) => s.state === 'ESTABLISHED');
    expect(ikeA).toMatchObject({ name: 'host', initiator: true, localAddress: '198.51.100.1[500]', remoteAddress: '198.51.100.2[500]' });
    expect(ikeB).toMatchObject({ name: 'host', initiator: false, spiI: ikeA!.spiI, spiR: ikeA!.spiR, proposal: ikeA!.proposal });
    if (up.code === 0) {
      expect(up.stdout).toMatch(/\[IKE\] <host[^>]*> .*\nconnection 'host' established successfully\n$/s);
      expect(ikeA!.children[0]).toMatchObject({ state: 'INSTALLED', mode: 'transport' });
      expect(xfrm('a', 'state')).toContain(`spi 0x${ikeA!.children[0]!.spiIn}`);
    } else {
      // This kernel has no ESP crypto: the reason comes as one line.
      expect(up.code).toBe(1);
      expect(up.stderr.trim().split('\n')).toHaveLength(1);
      // The exchange's log lines came to the command as it ran.
      expect(up.stdout).toMatch(/\[IKE\] <host[^>]*> IKE_SA_INIT/);
    }

    for (const side of ['a', 'b'] as const) {
      const r = await ipsec(side, ['stop']);
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, side, 'run', 'nodeswan.pid'))).toBe(false);
      expect(xfrm(side, 'state')).toBe('');
      expect(xfrm(side, 'policy')).toBe('');
    }
  });
});
