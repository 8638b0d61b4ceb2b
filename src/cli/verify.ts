// `ipsec verify`: checks that this host can run nodeswan, one line per
// check, each failure with its fix. Exit status 1 if any check failed.
// The ESP/AH/algorithm probe runs in a private, temporary network namespace.
import type { Command } from './commands.js';
import {
  checkForwarding,
  checkNatTraversal,
  checkPorts,
  checkXfrm,
  formatCheck,
  probeChecks,
  runProbeInPrivateNamespace,
  type CheckResult,
} from '../kernel/host-checks.js';
import { XfrmBackend } from '../kernel/xfrm/backend.js';

async function verify(): Promise<CheckResult[]> {
  const open = async () => new XfrmBackend();
  const results: CheckResult[] = [await checkXfrm(open)];
  let espOk = false;
  if (results[0]!.status === 'ok') {
    try {
      const probe = await runProbeInPrivateNamespace();
      espOk = probe.protocols[0]?.ok === true;
      results.push(...probeChecks(probe));
    } catch (err) {
      results.push({
        name: 'ESP/AH probe',
        status: 'fail',
        detail: (err as Error).message,
        fix: 'run as root with util-linux `unshare` available (the probe needs a private network namespace)',
      });
    }
  }
  results.push(await checkForwarding());
  results.push(...(await checkPorts()));
  results.push(await checkNatTraversal(open, espOk));
  return results;
}

export const verifyCommand: Command = {
  summary: 'check kernel and host: xfrm, ESP/AH/algorithms, forwarding, UDP 500/4500, NAT-T',
  async run(args: string[]): Promise<number> {
    if (args.length > 0) {
      process.stderr.write(`ipsec verify: takes no arguments (got '${args.join(' ')}')\n`);
      return 2;
    }
    const results = await verify();
    for (const r of results) process.stdout.write(`${formatCheck(r)}\n`);
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  },
};
