// `ipsec check` on a generated 2,000-conn ipsec.conf (site-to-site conns
// sharing a %default and an also= template, with secrets), timed in
// process and as a spawned CLI; printed next to the 1 s target.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck } from '../src/cli/check.js';

const CONNS = 2000;
const TARGET_MS = 1000;

function generate(n: number): { conf: string; secrets: string } {
  const out = [
    'config setup',
    '\tuniqueids=yes',
    '',
    'conn %default',
    '\tkeyexchange=ikev2',
    '\tikelifetime=3h',
    '\tlifetime=1h',
    '\tdpddelay=30s',
    '\tdpdaction=restart',
    '\tauthby=secret',
    '',
    'conn hub',
    '\tleft=203.0.113.1',
    '\tleftsubnet=10.0.0.0/8',
    '\tleftid=@hub.example.com',
    '\tike=aes256gcm16-prfsha384-ecp384,aes256-sha256-modp2048',
    '\tesp=aes256gcm16-ecp384,aes128-sha256',
    '',
  ];
  const secrets: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(i / 250);
    const b = i % 250;
    out.push(
      `conn spoke-${i}`,
      '\talso=hub',
      `\tright=198.51.${100 + (a % 2)}.${b + 1}`,
      `\trightsubnet=172.${16 + a}.${b}.0/24`,
      `\trightid=@spoke-${i}.example.com`,
      `\tmark=${i + 1}`,
      i % 3 === 0 ? '\tauto=start' : i % 3 === 1 ? '\tauto=route' : '\tauto=add',
      '',
    );
    secrets.push(`@hub.example.com @spoke-${i}.example.com : PSK "spoke-${i}-secret-value"`);
  }
  return { conf: out.join('\n'), secrets: `${secrets.join('\n')}\n` };
}

const dir = mkdtempSync(join(tmpdir(), 'nodeswan-bench-'));
try {
  const { conf, secrets } = generate(CONNS);
  const confFile = join(dir, 'ipsec.conf');
  const secretsFile = join(dir, 'ipsec.secrets');
  writeFileSync(confFile, conf);
  writeFileSync(secretsFile, secrets, { mode: 0o600 });

  runCheck(confFile, secretsFile); // warm-up (JIT)
  const runs: number[] = [];
  let report = runCheck(confFile, secretsFile);
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    report = runCheck(confFile, secretsFile);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  runs.sort((x, y) => x - y);
  const median = runs[Math.floor(runs.length / 2)] ?? 0;

  const t0 = process.hrtime.bigint();
  const cli = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli/main.ts'), 'check', '--config', confFile, '--secrets', secretsFile], { encoding: 'utf8' });
  const cliMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const lines = conf.split('\n').length;
  console.log(`config check, ${CONNS} conns (${lines} lines) + ${CONNS} secrets: ${report.errors} errors, ${report.warnings} warnings`);
  console.log(`  in process (median of ${runs.length}): ${median.toFixed(1)} ms    target < ${TARGET_MS} ms    ${median < TARGET_MS ? 'OK' : 'SLOW'}`);
  console.log(`  ipsec check, spawned (node start + tsx + check): ${cliMs.toFixed(0)} ms    target < ${TARGET_MS} ms    ${cliMs < TARGET_MS ? 'OK' : 'SLOW'}    exit ${cli.status}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
