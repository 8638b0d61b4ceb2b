// The daemon shell with the real ipsec.conf / ipsec.secrets loader (and the
// test engine): start, status, reload refusing a broken file, log levels
// from charondebug, no secret in the log.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from '../daemon/fixtures/cli-env.js';
import { ipsec } from '../daemon/fixtures/run-ipsec.js';

const env = useCliEnv();
const REAL = { NODESWAN_TEST_CONFIG: 'ipsec' };
const PSK = 'psk-from-ipsec-secrets-6502';

function conf(extraSetup: string, conns: string): string {
  return `config setup\n${extraSetup}\n${conns}`;
}

const OFFICE = `
conn office
    left=192.0.2.1
    right=192.0.2.9
    leftsubnet=198.51.100.0/24
    rightsubnet=203.0.113.0/24
    authby=secret
    auto=add
`;

describe('daemon with ipsec.conf', () => {
  it('loads ipsec.conf, applies charondebug, refuses a broken reload, never logs the PSK', async () => {
    const confFile = join(env.dir, 'ipsec.conf');
    const secretsFile = join(env.dir, 'ipsec.secrets');
    writeFileSync(confFile, conf('    charondebug="ctl 2"', OFFICE));
    writeFileSync(secretsFile, `192.0.2.1 192.0.2.9 : PSK "${PSK}"\n`);
    chmodSync(secretsFile, 0o600);
    const flags = ['--rundir', join(env.dir, 'run'), '--config', confFile, '--secrets', secretsFile, '--logfile', join(env.dir, 'daemon.log')];

    const started = await ipsec(['start', ...flags], REAL);
    expect(started.stderr).toBe('');
    env.started.push(Number(/pid (\d+)/.exec(started.stdout)![1]));
    const status = await ipsec(['statusall', ...flags], REAL);
    expect(status.stdout).toMatch(/office: {2}192\.0\.2\.1\.\.\.192\.0\.2\.9 {2}IKEv2/);

    writeFileSync(confFile, conf('    charondebug="ctl 2"', OFFICE.replace('auto=add', 'auto=whenever')));
    const bad = await ipsec(['reload', ...flags], REAL);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`${confFile}:\\d+:\\d+: error: .*auto`));
    expect(bad.stderr).toContain('the running configuration is kept');

    expect((await ipsec(['stop', ...flags], REAL)).code).toBe(0);
    const log = readFileSync(join(env.dir, 'daemon.log'), 'utf8');
    expect(log).toMatch(/2\[CTL\] control request cmd=status/); // level 2 from charondebug
    expect(log).toContain('secret=<hidden>');
    expect(log).not.toContain(PSK);
  });
});
