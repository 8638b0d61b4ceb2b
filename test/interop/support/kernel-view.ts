// What the kernel itself says about IPsec state in a namespace, read with
// iproute2 (`ip -s xfrm state`, `ip xfrm policy`), independent of the
// daemon under test: the reference its `ipsec status --json` is checked
// against, and the proof of what `ipsec stop` left behind.

import { run } from '../../lab/netns.js';

export interface XfrmStateView {
  src: string;
  dst: string;
  proto: string;
  /** SPI as 8 lowercase hex digits (as `ipsec status --json` and swanctl print it). */
  spi: string;
  reqid: number;
  mode: string;
  bytes: number;
  packets: number;
}

// `ip -s xfrm state` prints, per SA:
//   src 192.0.2.1 dst 192.0.2.2
//   	proto esp spi 0xc1d2e3f4(3251823604) reqid 1(0x00000001) mode transport
//   	...
//   	lifetime current:
//   	  252(bytes), 3(packets)
// Key material is in the same output: it is parsed here and never echoed.
export function parseXfrmStates(output: string): XfrmStateView[] {
  const states: XfrmStateView[] = [];
  for (const block of output.split(/^(?=src )/m)) {
    const head = /^src (\S+) dst (\S+)/.exec(block);
    const ids = /proto (\S+) spi 0x([0-9a-f]+)\S* reqid (\d+)\S* mode (\S+)/.exec(block);
    if (!head || !ids) continue;
    const current = /lifetime current:\s*\n\s*(\d+)\(bytes\), (\d+)\(packets\)/.exec(block);
    states.push({
      src: head[1]!,
      dst: head[2]!,
      proto: ids[1]!,
      spi: ids[2]!.padStart(8, '0'),
      reqid: Number(ids[3]),
      mode: ids[4]!,
      bytes: current ? Number(current[1]) : Number.NaN,
      packets: current ? Number(current[2]) : Number.NaN,
    });
  }
  return states;
}

export async function xfrmStates(ns: string): Promise<XfrmStateView[]> {
  const { stdout } = await run(['ip', '-n', ns, '-s', 'xfrm', 'state']);
  return parseXfrmStates(stdout);
}

/** The SA with this SPI (8 hex digits), or a clear failure naming what exists. */
export function stateBySpi(states: XfrmStateView[], spi: string): XfrmStateView {
  const found = states.find((s) => s.spi === spi.toLowerCase());
  if (!found) throw new Error(`no xfrm state with SPI ${spi}; the kernel has ${states.map((s) => `${s.spi} (${s.src} -> ${s.dst})`).join(', ') || 'none'}`);
  return found;
}

/**
 * `ip xfrm state` and `ip xfrm policy` as text for before/after comparisons:
 * keys removed, and per-socket policies (`socket in/out`, the IKE sockets'
 * bypass) left out: they belong to open sockets and end with them, they are
 * not entries of the SPD.
 */
export async function xfrmText(ns: string): Promise<{ states: string; policies: string }> {
  const [states, policies] = await Promise.all([
    run(['ip', '-n', ns, 'xfrm', 'state']),
    run(['ip', '-n', ns, 'xfrm', 'policy']),
  ]);
  return { states: withoutKeys(states.stdout), policies: withoutSocketPolicies(policies.stdout) };
}

function withoutSocketPolicies(text: string): string {
  return text
    .split(/^(?=src )/m)
    .filter((block) => !/^\s+socket (in|out) /m.test(block))
    .join('');
}

function withoutKeys(text: string): string {
  return text.replace(/^(\s*(?:aead|enc|auth|auth-trunc|comp) \S+) 0x[0-9a-f]+/gm, '$1 <key>');
}
