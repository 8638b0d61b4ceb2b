// `ipsec reload` and `ipsec rereadsecrets` against the daemon shell with the
// real ipsec.conf/ipsec.secrets loader (and the test engine): a broken file
// is refused with exactly the error lines `ipsec check` prints for it, on
// the terminal and in the log, and what is in force stays; rereadsecrets
// hands the engine the new secrets without a reload of the conns.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from '../daemon/fixtures/cli-env.js';
import { ipsec } from '../daemon/fixtures/run-ipsec.js';

const env = useCliEnv();
const REAL = { NODESWAN_TEST_CONFIG: 'ipsec' };
const PSK = 'psk-for-rereadsecrets-3318';

const CONF = `config setup

conn office
    left=192.0.2.1
    right=192.0.2.9
    leftsubnet=198.51.100.0/24
    rightsubnet=203.0.113.0/24
    authby=secret
    auto=add
`;

function errorLines(text: string): string[] {
  return text.split('\n').filter((l) => /:\d+:\d+: error: /.test(l));
}

describe('reload and rereadsecrets diagnostics', () => {
  it('a broken ipsec.conf or ipsec.secrets is refused with the diagnostics of ipsec check; good secrets are re-read alone', async () => {
    const confFile = join(env.dir, 'ipsec.conf');
    const secretsFile = join(env.dir, 'ipsec.secrets');
    const logFile = join(env.dir, 'daemon.log');
    writeFileSync(confFile, CONF);
    writeFileSync(secretsFile, `192.0.2.1 192.0.2.9 : PSK "${PSK}"\n`);
    chmodSync(secretsFile, 0o600);
    const flags = ['--rundir', join(env.dir, 'run'), '--config', confFile, '--secrets', secretsFile, '--logfile', logFile];
    const started = await ipsec(['start', ...flags], REAL);
    expect(started.stderr).toBe('');
    env.started.push(Number(/pid (\d+)/.exec(started.stdout)![1]));

    // Two errors in ipsec.conf: an unknown auto= value and a bad proposal token.
    writeFileSync(confFile, CONF.replace('auto=add', 'auto=whenever').replace('authby=secret', 'authby=secret\n    esp=aes999gcm16!'));
    const check = await ipsec(['check', '--config', confFile, '--secrets', secretsFile]);
    expect(check.code).toBe(1);
    const expected = errorLines(check.stdout);
    expect(expected).toHaveLength(2);
    for (const line of expected) expect(line.startsWith(`${confFile}:`)).toBe(true);
    const refused = await ipsec(['reload', ...flags], REAL);
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stderr)).toEqual(expected);
    expect(refused.stderr).toContain('the running configuration is kept');
    // The log names each diagnostic too (the logger shortens very long lines).
    for (const line of expected) expect(readFileSync(logFile, 'utf8')).toContain(line.slice(0, 100));
    expect((await ipsec(['statusall', ...flags], REAL)).stdout).toMatch(/office: {2}192\.0\.2\.1\.\.\.192\.0\.2\.9/);

    // rereadsecrets reads only ipsec.secrets: the broken ipsec.conf does not stop it.
    writeFileSync(secretsFile, `192.0.2.1 192.0.2.9 : PSK "${PSK}-new"\n@moon : PSK "another"\n`);
    const reread = await ipsec(['rereadsecrets', ...flags], REAL);
    expect(reread.stderr).toBe('');
    expect(reread.code).toBe(0);
    expect(reread.stdout).toBe(`Reloaded secrets: 2 entries from ${secretsFile}\n`);
    expect(readFileSync(logFile, 'utf8')).toMatch(/test engine secrets reloaded secret=<hidden>/);

    writeFileSync(secretsFile, `192.0.2.1 192.0.2.9 : PSK "unterminated\n`);
    const checkSecrets = await ipsec(['check', '--config', confFile.replace('ipsec.conf', 'none.conf'), '--secrets', secretsFile]);
    const expectedSecrets = errorLines(checkSecrets.stdout).filter((l) => l.startsWith(`${secretsFile}:`));
    expect(expectedSecrets.length).toBeGreaterThan(0);
    const refusedSecrets = await ipsec(['rereadsecrets', ...flags], REAL);
    expect(refusedSecrets.code).toBe(1);
    expect(errorLines(refusedSecrets.stderr)).toEqual(expectedSecrets);
    expect(refusedSecrets.stderr).toContain('the secrets in force are kept');

    expect((await ipsec(['stop', ...flags], REAL)).code).toBe(0);
    const log = readFileSync(logFile, 'utf8');
    expect(log).not.toContain(PSK);
    expect(log).not.toContain('another');
  });
});
