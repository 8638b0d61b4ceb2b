// `ipsec check` and `ipsec show-config`, run as a user would: a spawned
// process, real files in a temporary directory, exit codes and output.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseSecrets, runCheck } from '../../src/cli/check.js';

const repo = join(import.meta.dirname, '../..');
let dir = '';

function ipsec(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = 'config setup\n\tuniqueids=yes\n\nconn site\n\tleft=192.0.2.1\n\tleftsubnet=10.1.0.0/16\n\tright=198.51.100.1\n\trightsubnet=10.2.0.0/16\n\tauthby=secret\n\tauto=start\n\nconn rw\n\tleft=%any\n\tright=%any\n\trightsourceip=10.9.0.0/24\n\tauto=add\n';
const BAD = 'conn site\n\tleft=192.0.2.1\n\tright=198.51.100.1\n\tauto=strat\n\tlefsubnet=10.0.0.0/8\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-cli-'));
  writeFileSync(join(dir, 'good.conf'), GOOD);
  writeFileSync(join(dir, 'bad.conf'), BAD);
  writeFileSync(join(dir, 'ipsec.secrets'), '192.0.2.1 198.51.100.1 : PSK "correct horse battery staple"\n');
  chmodSync(join(dir, 'ipsec.secrets'), 0o600);
  writeFileSync(join(dir, 'open.secrets'), ': PSK "correct horse battery staple"\n');
  chmodSync(join(dir, 'open.secrets'), 0o644);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipsec check', () => {
  it('exits 0 for a clean config and secrets', () => {
    const r = ipsec('check', '--config', join(dir, 'good.conf'), '--secrets', join(dir, 'ipsec.secrets'));
    // The road-warrior conn's address pool is read but not served yet: the one warning says so.
    expect(r.stdout).toBe(`${join(dir, 'good.conf')}:15:2: warning: 'rightsourceip' is not supported by nodeswan yet and has no effect (Virtual IP: an address to request (%config, %config4, %config6) or pools to serve (CIDR, range, %poolname))\n`);
    expect(r.stderr).toContain('2 conns, 1 secret; 0 errors, 1 warning');
    expect(r.code).toBe(0);
  });

  it('exits 1 and lists every problem as FILE:LINE:COL', () => {
    const file = join(dir, 'bad.conf');
    const r = ipsec('check', '--config', file, '--secrets', join(dir, 'ipsec.secrets'));
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${file}:4:7: error: auto=: invalid value 'strat' (did you mean 'start'?); valid values: ignore, add, route, start, ondemand, up, keep`,
      `${file}:5:2: error: unknown keyword 'lefsubnet' (did you mean 'leftsubnet'?)`,
    ]);
  });

  it('--json gives the same findings as data', () => {
    const r = ipsec('check', '--json', `--config=${join(dir, 'bad.conf')}`, '--secrets', join(dir, 'ipsec.secrets'));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; errors: number; diagnostics: { line: number; col: number; code: string }[] };
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(2);
    expect(report.diagnostics.map((d) => [d.line, d.col, d.code])).toEqual([
      [4, 7, 'bad-value'],
      [5, 2, 'unknown-keyword'],
    ]);
  });

  it('warns about an open secrets file without showing the secret; warnings alone exit 0', () => {
    const r = ipsec('check', '--config', join(dir, 'good.conf'), '--secrets', join(dir, 'open.secrets'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: secrets file is accessible by group or others (mode 0644)');
    expect(r.stdout + r.stderr).not.toContain('horse');
  });

  it('fails clearly for a missing config file and for bad options', () => {
    const missing = ipsec('check', '--config', join(dir, 'nope.conf'), '--secrets', join(dir, 'ipsec.secrets'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`cannot read '${join(dir, 'nope.conf')}': no such file`);
    const bad = ipsec('check', '--frobnicate');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown option '--frobnicate'");
  });

  it('the function gives the same result without a process', () => {
    const report = runCheck(join(dir, 'bad.conf'), undefined);
    expect([report.ok, report.errors, report.conns]).toEqual([false, 2, 1]);
  });
});

describe('ipsec show-config', () => {
  it('prints the resolved model as JSON, filtered by name', () => {
    const r = ipsec('show-config', 'rw', '--config', join(dir, 'good.conf'), '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { conns: { name: string; auto: string; remote: { sourceIps: unknown[] } }[] };
    expect(m.conns.map((c) => c.name)).toEqual(['rw']);
    expect(m.conns[0]?.remote.sourceIps).toEqual([{ kind: 'pool', cidr: '10.9.0.0/24', family: 4 }]);
  });

  it('prints a readable summary by default, transforms by IANA name', () => {
    const r = ipsec('show-config', 'site', '--config', join(dir, 'good.conf'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`conn site  (${join(dir, 'good.conf')}:4)`);
    expect(r.stdout).toContain('  local  192.0.2.1  selectors 10.1.0.0/16  auth secret');
    expect(r.stdout).toContain('  ike    AES_GCM_16_256/AES_GCM_16_128/CHACHA20_POLY1305/PRF_HMAC_SHA2_384');
    expect(r.stdout).not.toContain('conn rw');
  });

  it('shows the IKE_SA_INIT admission settings and the retransmit keywords of a conn', () => {
    const file = join(dir, 'dos.conf');
    writeFileSync(file, 'config setup\n  ddos-ike-threshold=500\n  max-halfopen-ike=2000\n  cookie-secret-lifetime=5m\nconn lossy\n  left=192.0.2.1\n  right=192.0.2.2\n  authby=secret\n  retransmit-interval=500\n  retransmit-limit=2s\n  retransmit-timeout=60s\n');
    const r = ipsec('show-config', '--config', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  ike_sa_init  COOKIE from 500 half-open (ddos-ike-threshold), limit 2000 (max-halfopen-ike), cookie secret 5m');
    expect(r.stdout).toContain('; keyingtries 3; retransmit interval 500ms, limit 2s, timeout 1m');
  });

  it('masks secrets', () => {
    const r = ipsec('show-config', '--config', join(dir, 'good.conf'), '--secrets', join(dir, 'ipsec.secrets'), '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"secret": "<hidden>"');
    expect(r.stdout).not.toContain('horse');
    for (const format of [[], ['--yaml']]) {
      const t = ipsec('show-config', '--config', join(dir, 'good.conf'), '--secrets', join(dir, 'ipsec.secrets'), ...format);
      expect(t.code).toBe(0);
      expect(t.stdout).toContain('<hidden>');
      expect(t.stdout).not.toContain('horse');
    }
  });

  it('--yaml output is accepted by --config file.yaml and gives the same model', () => {
    const yaml = ipsec('show-config', '--config', join(dir, 'good.conf'), '--yaml');
    expect(yaml.code).toBe(0);
    writeFileSync(join(dir, 'good.yaml'), yaml.stdout);
    const again = ipsec('show-config', '--config', join(dir, 'good.yaml'), '--yaml');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(yaml.stdout);
    const fromConf = ipsec('show-config', '--config', join(dir, 'good.conf'), '--json');
    const fromYaml = ipsec('show-config', '--config', join(dir, 'good.yaml'), '--json');
    expect(JSON.parse(fromYaml.stdout)).toEqual(JSON.parse(fromConf.stdout));
    expect(ipsec('check', '--config', join(dir, 'good.yaml'), '--secrets', join(dir, 'ipsec.secrets')).code).toBe(0);
    expect(readFileSync(join(dir, 'good.yaml'), 'utf8')).toContain('name: site');
  });

  it('exits 1 for an unknown conn name or a broken config', () => {
    expect(ipsec('show-config', 'nope', '--config', join(dir, 'good.conf')).code).toBe(1);
    const r = ipsec('show-config', '--config', join(dir, 'bad.conf'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.conf:4:7: error');
  });
});

describe('ipsec check, choice of secrets file', () => {
  it('reads ipsec.secrets next to --config when --secrets is not given', () => {
    const sub = join(dir, 'site');
    mkdirSync(sub);
    writeFileSync(join(sub, 'ipsec.conf'), GOOD);
    writeFileSync(join(sub, 'ipsec.secrets'), '@x : PSK "ok"\n@y PSK "broken"\n', { mode: 0o600 });
    const r = ipsec('check', '--config', join(sub, 'ipsec.conf'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(sub, 'ipsec.secrets')}:2:1: error:`);
    expect(chooseSecrets(join(dir, 'nowhere', 'ipsec.conf'), undefined)).toEqual({ secrets: undefined });
    expect(chooseSecrets('/x/ipsec.conf', '/y/s')).toEqual({ secrets: '/y/s' });
  });
});
