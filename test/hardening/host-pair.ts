// Two namespaces joined by one veth, for tests that run on this host (whose
// kernel lacks dummy interfaces and ESP, which the lab topology needs):
// left 192.0.2.1/24 and right 192.0.2.2/24, both on `wan0`.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ipBatch } from '../lab/netns.js';

/**
 * A veth end counts as running (and its address is listed by Node's
 * networkInterfaces(), which the daemon binds from) only once the kernel has
 * propagated the carrier, up to a second after `link set up`. Wait for it,
 * bounded, so a daemon started next sees its address.
 */
async function carrierUp(ns: string, dev: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = execFileSync('ip', ['-n', ns, '-o', 'link', 'show', dev], { encoding: 'utf8' });
    if (/[<,]LOWER_UP[,>]/.test(line) && /state UP/.test(line)) return;
    if (Date.now() > deadline) throw new Error(`${ns}/${dev}: no carrier after 5 s: ${line.trim()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
  for (const h of [left, right]) await carrierUp(h.ns, h.wan);
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
