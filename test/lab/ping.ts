// ICMP echo from inside a namespace. The host has no `ping`; busybox has one
// (its -I takes a source address, -A sends the next echo as soon as the
// reply arrives, which keeps runs short under TCG).

import { runIn } from './netns.js';

export interface PingOptions {
  /** Source address (e.g. the inside network's address for site-to-site). */
  src?: string;
  /** Echo requests to send (default 3). */
  count?: number;
  /** Give up after this many seconds in total (default 10). */
  deadlineSeconds?: number;
  /** ICMP payload octets (busybox default 56). */
  size?: number;
}

export interface PingResult {
  transmitted: number;
  received: number;
  output: string;
}

export async function ping(ns: string, dst: string, options: PingOptions = {}): Promise<PingResult> {
  const count = options.count ?? 3;
  const deadline = options.deadlineSeconds ?? 10;
  // -W: how long to wait for the last reply; generous, a loaded TCG guest can be slow.
  const lastReplyWait = Math.min(5, deadline);
  const command = ['busybox', 'ping', dst.includes(':') ? '-6' : '-4', '-A', '-q', '-c', String(count), '-w', String(deadline), '-W', String(lastReplyWait)];
  if (options.src) command.push('-I', options.src);
  if (options.size !== undefined) command.push('-s', String(options.size));
  command.push(dst);
  const { stdout, stderr } = await runIn(ns, command, { allowFailure: true, timeoutMs: (deadline + 10) * 1000 });
  const output = stdout + stderr;
  const match = /(\d+) packets transmitted, (\d+) packets received/.exec(output);
  return {
    transmitted: match ? Number(match[1]) : 0,
    received: match ? Number(match[2]) : 0,
    output,
  };
}
