// `ipsec check` on a generated 2,000-conn ipsec.conf (site-to-site conns
// sharing a %default and an also= template, with secrets), timed in
// process and as a spawned CLI; printed next to the 1 s target.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  // Wall time and CPU time: on a busy machine the CPU time is the figure
  // that says what the check itself costs.
  const runs: number[] = [];
  const cpu: number[] = [];
  let report = runCheck(confFile, secretsFile);
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    report = runCheck(confFile, secretsFile);
    const c = process.cpuUsage(c0);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;

  // The installed command runs the built JavaScript (npm run build); without
  // a build, the TypeScript source through tsx (slower start).
  const built = join(import.meta.dirname, '../dist/cli/main.js');
  const entry = existsSync(built) ? [built] : ['--import', 'tsx', join(import.meta.dirname, '../src/cli/main.ts')];
  const timeBin = '/usr/bin/time';
  const args = [...entry, 'check', '--config', confFile, '--secrets', secretsFile];
  const t0 = process.hrtime.bigint();
  const cli = existsSync(timeBin)
    ? spawnSync(timeBin, ['-f', 'cpu %U %S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const cliMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuLine = /cpu ([\d.]+) ([\d.]+)/.exec(cli.stderr);
  const cliCpu = cpuLine ? `, ${((Number(cpuLine[1]) + Number(cpuLine[2])) * 1000).toFixed(0)} ms CPU` : '';

  const lines = conf.split('\n').length;
  console.log(`config check, ${CONNS} conns (${lines} lines) + ${CONNS} secrets: ${report.errors} errors, ${report.warnings} warnings`);
  console.log(`  in process (median of ${runs.length}): ${median(runs).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU    target < ${TARGET_MS} ms    ${median(runs) < TARGET_MS ? 'OK' : 'SLOW'}`);
  console.log(`  ipsec check, new process (${existsSync(built) ? 'dist' : 'tsx'}, node start included): ${cliMs.toFixed(0)} ms wall${cliCpu}    target < ${TARGET_MS} ms    ${cliMs < TARGET_MS ? 'OK' : 'SLOW'}    exit ${cli.status}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
