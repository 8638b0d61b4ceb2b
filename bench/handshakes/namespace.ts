// The benchmark's private network namespace: loopback up, the responder on
// 192.0.2.1 and the generator on 192.0.2.2 (documentation addresses on
// `lo`), so no packet leaves it and nothing else on the host is reached.
// The tunnels' inner selectors are 2001:db8:2::/64 (responder) and
// 2001:db8:1::<i>/128 (SA number i).

import { run, spawnIn } from '../../test/lab/netns.js';
import type { ChildProcess } from 'node:child_process';

export const RESPONDER_ADDRESS = '192.0.2.1';
export const GENERATOR_ADDRESS = '192.0.2.2';
export const RESPONDER_INNER_ADDRESS = '2001:db8:2::1';

export interface BenchNamespace {
  name: string;
  spawn(command: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  destroy(): Promise<void>;
}

export async function createBenchNamespace(): Promise<BenchNamespace> {
  const name = `nsbench-hs-${process.pid}`;
  await run(['ip', 'netns', 'add', name]);
  try {
    await run(['ip', '-n', name, '-batch', '-'], {
      input: [
        'link set lo up',
        `address add ${RESPONDER_ADDRESS}/32 dev lo`,
        `address add ${GENERATOR_ADDRESS}/32 dev lo`,
        // An address inside the responder's inner selector: charon's kernel-libipsec routes each
        // CHILD SA's peer selector into its TUN device with a source address from there.
        `address add ${RESPONDER_INNER_ADDRESS}/128 dev lo nodad`,
      ].join('\n') + '\n',
    });
  } catch (error) {
    await run(['ip', 'netns', 'del', name], { allowFailure: true });
    throw error;
  }
  return {
    name,
    spawn: (command, env) => spawnIn(name, command, env),
    destroy: async () => {
      await run(['ip', 'netns', 'del', name], { allowFailure: true });
    },
  };
}
