import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLoadError } from '../../src/daemon/config-source.js';
import { levelsFromConfig } from '../../src/daemon/daemon.js';
import { loadIpsecConfig } from '../../src/daemon/ipsec-config-loader.js';
import { resolvePaths } from '../../src/daemon/paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-loader-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(conf: string, secrets: string, secretsMode = 0o600) {
  writeFileSync(join(dir, 'ipsec.conf'), conf);
  writeFileSync(join(dir, 'ipsec.secrets'), secrets);
  chmodSync(join(dir, 'ipsec.secrets'), secretsMode);
  return resolvePaths({ config: join(dir, 'ipsec.conf'), secrets: join(dir, 'ipsec.secrets'), rundir: dir }, {});
}

const CONF = `config setup
    charondebug="ike 2, knl 3"

conn office
    left=192.0.2.1
    right=192.0.2.9
    leftsubnet=198.51.100.0/24
    rightsubnet=203.0.113.0/24
    authby=secret
    auto=add
`;

describe('loadIpsecConfig', () => {
  it('loads the model, the secrets and the logging keywords', async () => {
    const loaded = await loadIpsecConfig(files(CONF, '192.0.2.1 192.0.2.9 : PSK "not-in-any-log"\n'));
    expect((loaded.config as { conns: Array<{ name: string }> }).conns.map((c) => c.name)).toEqual(['office']);
    expect((loaded.secrets as { entries: unknown[] }).entries).toHaveLength(1);
    expect(loaded.charondebug).toBe('ike 2, knl 3');
    expect(loaded.warnings).toEqual([]);
    const levels = levelsFromConfig(loaded, () => {});
    expect(levels.ike).toBe(2);
    expect(levels.knl).toBe(3);
    expect(levels.cfg).toBe(1);
  });

  it('refuses a broken config with every error as file:line:col', async () => {
    const paths = files(CONF.replace('auto=add', 'auto=sometimes').replace('left=192.0.2.1', 'left=192.0.2.300'), '');
    const err = await loadIpsecConfig(paths).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigLoadError);
    const e = err as ConfigLoadError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/^configuration has 2 errors/);
    expect(e.details).toHaveLength(2);
    for (const d of e.details) expect(d).toMatch(new RegExp(`^${join(dir, 'ipsec.conf')}:\\d+:\\d+: error: `));
  });

  it('passes warnings on (a secrets file readable by others)', async () => {
    const loaded = await loadIpsecConfig(files(CONF, ': PSK "x-secret"\n', 0o644));
    expect(loaded.warnings.join('\n')).toMatch(/ipsec\.secrets:1:1: warning: .*chmod 600/);
    expect(loaded.warnings.join('\n')).not.toContain('x-secret');
  });

  it('a bad charondebug is a warning, not a refusal', () => {
    const warnings: string[] = [];
    const levels = levelsFromConfig({ config: {}, secrets: {}, charondebug: 'ike 9', warnings: [] }, (m) => warnings.push(m));
    expect(levels.ike).toBe(1);
    expect(warnings[0]).toMatch(/charondebug ike: level '9'/);
  });
});
