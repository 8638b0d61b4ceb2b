// The systemd unit for real (issue 7): inside the lab guest, systemd 252
// runs as PID 1 of a PID + mount namespace (test/ops/systemd-lab/
// container.sh) and runs test/ops/systemd-lab/service-e2e.ts as a oneshot
// job: ipsec install-service, systemctl start ipsec (Type=notify), a ping
// through the tunnel to a peer namespace, the daemon's capabilities,
// systemctl reload ipsec with an edited ipsec.conf, systemctl stop ipsec
// and a clean kernel on both sides. Each check prints an "ok"/"FAIL" line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const container = `${root}test/ops/systemd-lab/container.sh`;
// systemd-tmpfiles empties /tmp when the container boots: keep the job elsewhere.
const jobdir = mkdtempSync('/var/tmp/nodeswan-systemd-');
afterAll(() => rmSync(jobdir, { recursive: true, force: true }));

it('systemctl start / reload / stop ipsec run the daemon, carry the tunnel and leave the kernel clean', async () => {
  writeFileSync(
    `${jobdir}/job.sh`,
    `cd '${root}'\nexec '${process.execPath}' --import tsx test/ops/systemd-lab/service-e2e.ts\n`,
  );
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('sh', [container, jobdir], { stdio: 'ignore' });
    child.on('exit', (status) => resolve(status));
  });
  const output = readFileSync(`${jobdir}/output`, 'utf8');
  const systemdLog = readFileSync(`${jobdir}/systemd.log`, 'utf8');
  expect(output, `systemd log:\n${systemdLog.split('\n').slice(-30).join('\n')}`).not.toMatch(/^FAIL/m);
  for (const step of [
    'PID 1 is systemd',
    'systemctl start ipsec',
    'ipsec.service active (running)',
    'daemon capabilities limited to NET_ADMIN, NET_BIND_SERVICE, NET_RAW',
    'ping 198.51.100.1 -> 203.0.113.1 through the tunnel: 3/3',
    'systemctl reload ipsec',
    'the reloaded config has the new conn',
    'the tunnel survived the reload',
    'reload kept the same daemon process',
    'systemctl stop ipsec',
    'ipsec.service inactive, result success',
    'left kernel clean after stop',
    'the peer deleted its SAs too',
  ]) {
    expect(output).toContain(`ok   ${step}`);
  }
  expect(code).toBe(0);
}, 600_000);
