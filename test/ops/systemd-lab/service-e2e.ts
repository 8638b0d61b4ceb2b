// The systemd unit for real, run INSIDE a kernel-lab guest booted with
// systemd as PID 1 (test/ops/systemd-lab/run.ts): `ipsec install-service`,
// `systemctl start ipsec` (Type=notify: returns once the daemon is ready),
// the tunnel to a peer namespace carries a ping, `systemctl reload ipsec`
// applies an edited ipsec.conf, `systemctl stop ipsec` leaves the kernel
// clean. The service runs in the `left` namespace of a lab topology through
// a drop-in with NetworkNamespacePath= (the only lab-specific setting).
// Prints each step with its time; exits 1 on the first failed check.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCa, issueCertificate } from '../../../src/pki/index.js';
import { runIn } from '../../lab/netns.js';
import { NodeswanDaemon } from '../../lab/nodeswan.js';
import { ping } from '../../lab/ping.js';
import { createTopology } from '../../lab/topology.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const demoConf = `${root}conf/examples/demo/`;
const tsxLoader = fileURLToPath(import.meta.resolve('tsx'));
const ipsecCommand = `${process.execPath} --import ${tsxLoader} ${root}src/cli/main.ts`;
const started = performance.now();
const t = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

class CheckFailed extends Error {}
function check(ok: boolean, what: string, detail = ''): void {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what} [${t()}]${detail ? `\n${detail}` : ''}\n`);
  if (!ok) throw new CheckFailed(what);
}
function sh(command: string, args: string[]): { status: number | null; out: string; ms: number } {
  const before = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), ms: performance.now() - before };
}
const systemctl = (...args: string[]) => sh('systemctl', args);

const topology = await createTopology();
const { left, right } = topology;
let peer: NodeswanDaemon | undefined;
let status = 0;
try {
  check(readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd', 'PID 1 is systemd');
  process.stdout.write(`    systemd: ${sh('systemctl', ['--version']).out.split('\n')[0]}\n`);

  const install = sh(process.execPath, ['--import', tsxLoader, `${root}src/cli/main.ts`, 'install-service', '--ipsec', ipsecCommand]);
  check(install.status === 0, 'ipsec install-service', install.out);

  // left's configuration: the demo's, certificates made here
  const ca = await createCa({ dn: 'CN=systemd test CA', type: 'ecdsa', curve: 'p256', lifetimeDays: 1 });
  const issue = (name: string, ip: string) => issueCertificate({ issuer: ca, dn: `CN=${name}`, san: [name, ip], type: 'ecdsa', curve: 'p256', lifetimeDays: 1 });
  const [leftCert, rightCert] = await Promise.all([issue('left.demo.example', left.outer4), issue('right.demo.example', right.outer4)]);
  writeFileSync('/etc/ipsec.conf', readFileSync(`${demoConf}left.conf`, 'utf8'));
  writeFileSync('/etc/ipsec.secrets', readFileSync(`${demoConf}left.secrets`, 'utf8'), { mode: 0o600 });
  writeFileSync('/etc/ipsec.d/cacerts/demo-ca.pem', ca.cert);
  writeFileSync('/etc/ipsec.d/certs/left.pem', leftCert.cert);
  writeFileSync('/etc/ipsec.d/private/left.pem', leftCert.key, { mode: 0o600 });
  mkdirSync('/etc/systemd/system/ipsec.service.d', { recursive: true });
  writeFileSync('/etc/systemd/system/ipsec.service.d/lab-netns.conf', `[Service]\nNetworkNamespacePath=/run/netns/${left.ns}\n`);
  check(systemctl('daemon-reload').status === 0, 'systemctl daemon-reload');

  peer = await NodeswanDaemon.start(right.ns, {
    conf: readFileSync(`${demoConf}right.conf`, 'utf8'),
    secrets: readFileSync(`${demoConf}right.secrets`, 'utf8'),
    files: { 'cacerts/demo-ca.pem': ca.cert, 'certs/right.pem': rightCert.cert, 'private/right.pem': rightCert.key },
  });

  const start = systemctl('start', 'ipsec');
  check(start.status === 0, `systemctl start ipsec (returned after ${(start.ms / 1000).toFixed(1)} s, i.e. after READY=1)`, start.out || sh('journalctl', ['-u', 'ipsec', '--no-pager']).out);
  const show = systemctl('show', 'ipsec', '-p', 'ActiveState', '-p', 'SubState', '-p', 'MainPID', '-p', 'StatusText');
  check(/ActiveState=active/.test(show.out) && /SubState=running/.test(show.out), 'ipsec.service active (running)', show.out);
  const mainPid = /MainPID=(\d+)/.exec(show.out)?.[1];
  const capEff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${mainPid}/status`, 'utf8'))?.[1];
  // CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13)
  check(capEff !== undefined && BigInt(`0x${capEff}`) === 0x3400n, `daemon capabilities limited to NET_ADMIN, NET_BIND_SERVICE, NET_RAW (CapEff ${capEff})`);

  const up = sh(process.execPath, ['--import', tsxLoader, `${root}src/cli/main.ts`, 'up', 'demo']);
  check(up.status === 0, `ipsec up demo (${(up.ms / 1000).toFixed(1)} s)`, up.out);
  const result = await ping(left.ns, right.inside4, { src: left.inside4, count: 3 });
  check(result.received === 3, `ping 198.51.100.1 -> 203.0.113.1 through the tunnel: ${result.received}/${result.transmitted}`, result.output);
  const sas = await runIn(left.ns, ['ip', 'xfrm', 'state']);
  check((sas.stdout.match(/proto esp/g) ?? []).length === 2, 'two ESP SAs in the left kernel');

  writeFileSync('/etc/ipsec.conf', `${readFileSync('/etc/ipsec.conf', 'utf8')}\nconn reloaded\n\tleft=192.0.2.1\n\tright=192.0.2.3\n\tauthby=psk\n\tauto=add\n`);
  writeFileSync('/etc/ipsec.secrets', `${readFileSync('/etc/ipsec.secrets', 'utf8')}192.0.2.1 192.0.2.3 : PSK "systemd-reload-test-secret"\n`);
  const reload = systemctl('reload', 'ipsec');
  check(reload.status === 0, 'systemctl reload ipsec', reload.out);
  const all = sh(process.execPath, ['--import', tsxLoader, `${root}src/cli/main.ts`, 'statusall']);
  check(/reloaded/.test(all.out), 'the reloaded config has the new conn', all.out);
  check(/ESTABLISHED/.test(all.out), 'the tunnel survived the reload');
  const pidAfter = /MainPID=(\d+)/.exec(systemctl('show', 'ipsec', '-p', 'MainPID').out)?.[1];
  check(pidAfter === mainPid, 'reload kept the same daemon process');

  const stop = systemctl('stop', 'ipsec');
  check(stop.status === 0, `systemctl stop ipsec (${(stop.ms / 1000).toFixed(1)} s)`, stop.out);
  const state = systemctl('show', 'ipsec', '-p', 'ActiveState', '-p', 'Result');
  check(/ActiveState=inactive/.test(state.out) && /Result=success/.test(state.out), 'ipsec.service inactive, result success', state.out);
  const leftovers = await runIn(left.ns, ['sh', '-c', 'ip xfrm state; ip xfrm policy']);
  check(leftovers.stdout.trim() === '', 'left kernel clean after stop (no SAs, no policies)', leftovers.stdout);
  const peerSas = await runIn(right.ns, ['ip', 'xfrm', 'state']);
  check(peerSas.stdout.trim() === '', 'the peer deleted its SAs too (Delete sent on stop)', peerSas.stdout);
  process.stdout.write('--- journal of ipsec.service ---\n' + sh('journalctl', ['-u', 'ipsec', '--no-pager', '-o', 'cat']).out + '\n');
} catch (err) {
  status = 1;
  if (!(err instanceof CheckFailed)) process.stdout.write(`FAIL ${(err as Error).stack}\n`);
  process.stdout.write(`--- journal ---\n${sh('journalctl', ['-u', 'ipsec', '--no-pager', '-o', 'cat']).out}\n`);
} finally {
  systemctl('stop', 'ipsec');
  await peer?.destroy();
  await topology.destroy();
}
process.exitCode = status;
