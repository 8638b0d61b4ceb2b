// Two namespaces joined by one veth, for tests that run on this host (whose
// kernel lacks dummy interfaces and ESP, which the lab topology needs):
// left 192.0.2.1/24 and right 192.0.2.2/24, both on `wan0`.
import { randomBytes } from 'node:crypto';
import { ipBatch } from '../lab/netns.js';

export interface PairHost {
  ns: string;
  wan: string;
  outer4: string;
}

export interface HostPair {
  left: PairHost;
  right: PairHost;
  onDestroy(step: () => Promise<void> | void): void;
  destroy(): Promise<void>;
}

export async function createHostPair(): Promise<HostPair> {
  const id = `nswh${randomBytes(3).toString('hex')}`;
  const left: PairHost = { ns: `${id}-left`, wan: 'wan0', outer4: '192.0.2.1' };
  const right: PairHost = { ns: `${id}-right`, wan: 'wan0', outer4: '192.0.2.2' };
  const steps: Array<() => Promise<void> | void> = [];
  await ipBatch(undefined, [`netns add ${left.ns}`, `netns add ${right.ns}`, `link add wan0 netns ${left.ns} type veth peer name wan0 netns ${right.ns}`]);
  for (const h of [left, right]) {
    await ipBatch(h.ns, ['link set lo up', `addr add ${h.outer4}/24 dev wan0`, 'link set wan0 up']);
  }
  return {
    left,
    right,
    onDestroy: (step) => steps.push(step),
    async destroy() {
      for (const step of steps.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
      await ipBatch(undefined, [`netns del ${left.ns}`, `netns del ${right.ns}`]);
    },
  };
}
