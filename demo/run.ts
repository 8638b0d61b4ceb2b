// `npm start`: nodeswan's one-command demo. Two nodeswan daemons in two
// network namespaces (made here, torn down at the end) join 198.51.100.0/24
// and 203.0.113.0/24 with the shipped conf/examples/demo files and ECDSA
// certificates made on the fly; the demo brings the tunnel up, pings through
// it, shows `ipsec status` of both ends and the kernel's SAs (keys hidden),
// stops both daemons and checks the kernels are clean.
//
// On a kernel without ESP it says so in one line and, when the kernel lab's
// packages are installed, runs itself inside the lab (QEMU with Debian's
// kernel, docs/kernel-lab.md). Exit status 0 only when the ping passed.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCa, issueCertificate } from '../src/pki/index.js';
import { runIn } from '../test/lab/netns.js';
import { NodeswanDaemon } from '../test/lab/nodeswan.js';
import { ping } from '../test/lab/ping.js';
import { createTopology, type Topology } from '../test/lab/topology.js';
import { checkEsp } from './esp-check.js';
import { maskXfrmKeys } from './mask-keys.js';

const demoFile = fileURLToPath(import.meta.url);
const confDir = fileURLToPath(new URL('../conf/examples/demo/', import.meta.url));
const CONN = 'demo';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`\n== ${line} [${elapsed()}]`);

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    say('nodeswan demo: needs root (network namespaces and the kernel\'s IPsec tables); run it as root, e.g. sudo npm start');
    return 1;
  }
  for (const tool of [['ip', '-V'], ['busybox', 'true']]) {
    if (spawnSync(tool[0]!, tool.slice(1)).error) {
      say(`nodeswan demo: '${tool[0]}' not found; install ${tool[0] === 'ip' ? 'iproute2' : 'busybox-static'}`);
      return 1;
    }
  }
  const esp = await checkEsp();
  if (!esp.ok) {
    if (process.env['NODESWAN_LAB']) {
      say(`nodeswan demo: the lab's kernel has no ESP either (${esp.reason})`);
      return 1;
    }
    return runInLabInstead(esp.reason);
  }
  return runDemo();
}

/** The host kernel lacks ESP: one line, then the same demo inside the kernel lab if it can boot. */
async function runInLabInstead(reason: string): Promise<number> {
  const { runInLab } = await import('../test/lab/run.js');
  const { LabSetupError } = await import('../test/lab/guest-image.js');
  say(`nodeswan demo: this kernel has no ESP (${reason}); running the demo inside the kernel lab (QEMU, Debian's kernel) instead`);
  try {
    const result = await runInLab({ command: [process.execPath, '--import', 'tsx', demoFile], timeoutSeconds: 600 });
    say(`nodeswan demo: kernel lab finished in ${result.totalSeconds.toFixed(1)} s (boot ${result.bootSeconds?.toFixed(1) ?? '?'} s), status ${result.status}`);
    return result.status;
  } catch (err) {
    if (err instanceof LabSetupError) {
      say(`nodeswan demo: cannot start the kernel lab either: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function runDemo(): Promise<number> {
  say('nodeswan demo: site-to-site 198.51.100.0/24 <-> 203.0.113.0/24 between two gateways in network namespaces');
  let topology: Topology | undefined;
  const daemons: NodeswanDaemon[] = [];
  let passed = false;
  try {
    step('network: left 192.0.2.1 (inside 198.51.100.1) <-veth-> right 192.0.2.2 (inside 203.0.113.1)');
    topology = await createTopology();
    const { left, right } = topology;

    step('certificates: ECDSA P-256 CA and one certificate per gateway (src/pki)');
    const ca = await createCa({ dn: 'C=CH, O=nodeswan demo, CN=nodeswan demo CA', type: 'ecdsa', curve: 'p256', lifetimeDays: 1 });
    const issue = (name: string, ip: string) =>
      issueCertificate({ issuer: ca, dn: `C=CH, O=nodeswan demo, CN=${name}`, san: [name, ip], type: 'ecdsa', curve: 'p256', lifetimeDays: 1 });
    const [leftCert, rightCert] = await Promise.all([issue('left.demo.example', left.outer4), issue('right.demo.example', right.outer4)]);
    say(`  CA:    ${ca.x509.subject.replace(/\n/g, ', ')}`);
    say(`  left:  ${leftCert.x509.subject.replace(/\n/g, ', ')}  SAN ${leftCert.x509.subjectAltName}`);
    say(`  right: ${rightCert.x509.subject.replace(/\n/g, ', ')}  SAN ${rightCert.x509.subjectAltName}`);

    step('daemons: ipsec start in each namespace (conf/examples/demo/left.conf, right.conf)');
    const sides = [[left, 'left', leftCert], [right, 'right', rightCert]] as const;
    const starting = sides.map(([host, side, cred]) =>
      NodeswanDaemon.start(
        host.ns,
        {
          conf: readFileSync(`${confDir}${side}.conf`, 'utf8'),
          secrets: readFileSync(`${confDir}${side}.secrets`, 'utf8'),
          files: { 'cacerts/demo-ca.pem': ca.cert, [`certs/${side}.pem`]: cred.cert, [`private/${side}.pem`]: cred.key },
        },
        { name: side },
      ),
    );
    // Keep every daemon that did start, so teardown stops it even if the other failed.
    const outcomes = await Promise.allSettled(starting);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') daemons.push(outcome.value);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    say('  left: running\n  right: running');
    const [leftDaemon, rightDaemon] = daemons as [NodeswanDaemon, NodeswanDaemon];

    step(`tunnel: ipsec up ${CONN} (on left)`);
    const up = await leftDaemon.up(CONN);
    say(indent(up.stdout.trim()));

    step('ping through the tunnel: 198.51.100.1 -> 203.0.113.1 (busybox ping, 3 echoes)');
    const result = await ping(left.ns, right.inside4, { src: left.inside4, count: 3 });
    say(indent(result.output.trim()));
    passed = result.transmitted === 3 && result.received === 3;

    const statuses = await Promise.all([leftDaemon.ipsec(['status']), rightDaemon.ipsec(['status'])]);
    const states = await Promise.all([left, right].map((host) => runIn(host.ns, ['ip', 'xfrm', 'state'])));
    for (const [i, side] of (['left', 'right'] as const).entries()) {
      step(`ipsec status (${side})`);
      say(indent((statuses[i]!.stdout + statuses[i]!.stderr).trim()));
    }
    for (const [i, side] of (['left', 'right'] as const).entries()) {
      step(`kernel SAs on ${side}: ip xfrm state (keys hidden)`);
      say(indent(maskXfrmKeys(states[i]!.stdout).trim()));
    }

    step('teardown: ipsec stop on both ends');
    const stopping = daemons.splice(0);
    const stopped = await Promise.all(stopping.map((daemon) => daemon.stop()));
    for (const [i, daemon] of stopping.entries()) {
      say(indent((stopped[i]!.stdout + stopped[i]!.stderr).trim()));
      const leftovers = await runIn(daemon.ns, ['sh', '-c', 'ip xfrm state; ip xfrm policy']);
      if (leftovers.stdout.trim()) {
        say(`  kernel NOT clean in ${daemon.ns}:\n${indent(maskXfrmKeys(leftovers.stdout).trim())}`);
        passed = false;
      } else {
        say(`  kernel clean in ${daemon.ns} (no SAs, no policies)`);
      }
      await daemon.destroy();
    }
    say(
      `\nnodeswan demo: ${passed ? 'PASSED' : 'FAILED'}: ping through the tunnel ${result.received}/${result.transmitted} replies; total ${elapsed()}`,
    );
    return passed ? 0 : 1;
  } catch (err) {
    say(`\nnodeswan demo: FAILED: ${(err as Error).message}`);
    return 1;
  } finally {
    for (const daemon of daemons) await daemon.destroy().catch(() => {});
    await topology?.destroy();
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

process.exitCode = await main();
