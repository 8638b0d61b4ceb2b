// `ipsec install-service`: the unit it writes passes `systemd-analyze
// verify` with no complaint at all (warnings included: systemd only warns,
// exit 0, about e.g. an unknown Type=), and existing configuration is kept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { renderUnit } from '../../src/cli/install-service.js';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const shippedUnit = readFileSync(fileURLToPath(new URL('../../conf/ipsec.service', import.meta.url)), 'utf8');
// systemd checks that the first word of ExecStart is executable: node is.
const ipsecCommand = `${process.execPath} ${fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))}`;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodeswan-install-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function ipsec(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cliMain, ...args], { encoding: 'utf8' });
}

function verify(unitPath: string) {
  return spawnSync('systemd-analyze', ['verify', '--man=no', unitPath], { encoding: 'utf8' });
}

function unitValue(unit: string, key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

describe('conf/ipsec.service', () => {
  it('is a Type=notify unit with the hardening the issue asks for', () => {
    expect(unitValue(shippedUnit, 'Type')).toEqual(['notify']);
    // the daemon notifies through systemd-notify, a child without CAP_SYS_ADMIN
    expect(unitValue(shippedUnit, 'NotifyAccess')).toEqual(['all']);
    expect(unitValue(shippedUnit, 'ExecStart')).toEqual(['/usr/bin/ipsec start --nofork']);
    expect(unitValue(shippedUnit, 'ExecReload')).toEqual(['/usr/bin/ipsec reload']);
    expect(unitValue(shippedUnit, 'ExecStop')).toEqual(['/usr/bin/ipsec stop']);
    expect(unitValue(shippedUnit, 'Restart')).toEqual(['on-failure']);
    expect(unitValue(shippedUnit, 'Wants')).toEqual(['network-online.target']);
    expect(unitValue(shippedUnit, 'After')).toEqual(['network-online.target']);
    expect(unitValue(shippedUnit, 'CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW']);
    expect(unitValue(shippedUnit, 'ProtectSystem')).toEqual(['strict']);
    expect(unitValue(shippedUnit, 'ReadWritePaths')).toEqual(['/run/nodeswan']);
    expect(unitValue(shippedUnit, 'RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6 AF_NETLINK']);
    for (const key of ['ProtectHome', 'PrivateTmp', 'NoNewPrivileges']) expect(unitValue(shippedUnit, key)).toEqual(['yes']);
  });
});

describe('ipsec install-service', () => {
  it('writes a unit that systemd-analyze verify accepts without a single warning', () => {
    const prefix = tempDir();
    const result = ipsec(['install-service', '--prefix', prefix, '--ipsec', ipsecCommand]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const unitPath = join(prefix, 'etc/systemd/system/ipsec.service');
    const unit = readFileSync(unitPath, 'utf8');
    expect(unitValue(unit, 'ExecStart')).toEqual([`${ipsecCommand} start --nofork`]);
    expect(unitValue(unit, 'ExecStop')).toEqual([`${ipsecCommand} stop`]);
    const verdict = verify(unitPath);
    expect(verdict.stderr + verdict.stdout).toBe('');
    expect(verdict.status).toBe(0);
  });

  it('the verify step catches a broken unit (control)', () => {
    const dir = tempDir();
    const broken = join(dir, 'ipsec.service');
    writeFileSync(broken, renderUnit(ipsecCommand, shippedUnit).replace('Type=notify', 'Type=notfy'));
    expect(verify(broken).stderr).toMatch(/Failed to parse service type/);
    writeFileSync(broken, renderUnit('/nonexistent/ipsec', shippedUnit));
    expect(verify(broken).status).not.toBe(0);
  });

  it('puts the default config in place with secrets 0600 and never overwrites existing files', () => {
    const prefix = tempDir();
    mkdirSync(join(prefix, 'etc'), { recursive: true });
    writeFileSync(join(prefix, 'etc/ipsec.conf'), 'conn mine\n');
    const result = ipsec(['install-service', '--prefix', prefix, '--ipsec', ipsecCommand]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${join(prefix, 'etc/ipsec.conf')} (exists, kept)`);
    expect(readFileSync(join(prefix, 'etc/ipsec.conf'), 'utf8')).toBe('conn mine\n');
    expect(statSync(join(prefix, 'etc/ipsec.secrets')).mode & 0o777).toBe(0o600);
    expect(statSync(join(prefix, 'etc/ipsec.d/private')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(prefix, 'etc/ipsec.secrets'), 'utf8')).toContain('ipsec.secrets');
  });

  it('--dry-run writes nothing and shows the unit', () => {
    const prefix = tempDir();
    const result = ipsec(['install-service', '--prefix', prefix, '--dry-run', '--ipsec', ipsecCommand]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`ExecStart=${ipsecCommand} start --nofork`);
    expect(() => statSync(join(prefix, 'etc'))).toThrow();
  });

  it('refuses a relative --ipsec command and a bad flag with a clear message', () => {
    const prefix = tempDir();
    const relative = ipsec(['install-service', '--prefix', prefix, '--ipsec', 'ipsec']);
    expect(relative.status).toBe(1);
    expect(relative.stderr).toMatch(/absolute paths/);
    const bad = ipsec(['install-service', '--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--prefix DIR, --dry-run, --ipsec COMMAND/);
  });
});
