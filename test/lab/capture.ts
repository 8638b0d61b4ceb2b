// Packet capture in a namespace, to prove what is on the wire.
//
// tcpdump runs with --immediate-mode (otherwise the last packets are still
// buffered when it stops) and by default only on egress (-Q out): a tunnel
// mode receiver re-injects decrypted packets on the interface they came in
// on, so an ingress capture at an end host shows cleartext that never
// crossed the wire. Capture egress on both hosts to see every packet sent.
// start() resolves once tcpdump reports "listening on", never by sleeping.
// stop() sends a marker (an unsolicited ARP from the interface's own
// address, which xfrm never touches) and waits until tcpdump has printed it:
// under TCG tcpdump may not yet have read the last packets from its buffer
// when the traffic's sender exits, and a plain SIGINT would lose them.

import type { ChildProcess } from 'node:child_process';
import { exited, run, runIn, spawnIn, waitForLine } from './netns.js';

export type PacketKind = 'esp' | 'udp-encap-esp' | 'cleartext-echo' | 'arp' | 'other';

export interface CapturedPacket {
  kind: PacketKind;
  /** ESP SPI (host order), for ESP packets. */
  spi?: number;
  /** tcpdump's one-line decode. */
  line: string;
}

export interface CaptureSummary {
  packets: CapturedPacket[];
  /** Every ESP packet, with or without UDP encapsulation. */
  esp: number;
  /** ESP inside UDP (NAT-T, RFC 3948). */
  udpEncapEsp: number;
  /** ICMP / ICMPv6 echo requests and replies seen in the clear. */
  cleartextEcho: number;
  /** Anything else the filter let through, except ARP. */
  other: number;
  /** Count of ESP packets per SPI. */
  bySpi: Map<number, number>;
}

export interface CaptureOptions {
  /** Interface (default wan0). */
  dev?: string;
  /** 'out' (default), 'in' or 'inout'. */
  direction?: 'out' | 'in' | 'inout';
  /** pcap filter; the default keeps ESP, NAT-T and ICMP/ICMPv6 echo. */
  filter?: string;
}

export const defaultFilter =
  'esp or udp port 4500 or (icmp and (icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply)) or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))';

export class Capture {
  private stdout = '';
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly ns: string,
    private readonly dev: string,
    private readonly markerAddress: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  static async start(ns: string, options: CaptureOptions = {}): Promise<Capture> {
    const dev = options.dev ?? 'wan0';
    const { stdout: addresses } = await run(['ip', '-n', ns, '-4', '-o', 'addr', 'show', 'dev', dev]);
    const markerAddress = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(addresses)?.[1];
    if (!markerAddress) throw new Error(`capture: ${dev} in ${ns} has no IPv4 address for the end-of-capture marker`);
    const child = spawnIn(ns, [
      'tcpdump',
      '-n',
      '-l',
      '--immediate-mode',
      '-Q',
      options.direction ?? 'out',
      '-i',
      dev,
      `(${options.filter ?? defaultFilter}) or arp`,
    ]);
    child.stdin?.end();
    const capture = new Capture(child, ns, dev, markerAddress);
    await waitForLine(child, 'stderr', /listening on/);
    return capture;
  }

  /** Stops tcpdump and classifies every packet it printed. */
  async stop(): Promise<CaptureSummary> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const marker = new RegExp(`ARP, Request who-has ${this.markerAddress.replace(/\./g, '\\.')} .*tell ${this.markerAddress.replace(/\./g, '\\.')}`);
      const seen = this.stdout.split('\n').some((line) => marker.test(line));
      const printed = seen ? Promise.resolve('') : waitForLine(this.child, 'stdout', marker, 10_000);
      await runIn(this.ns, ['busybox', 'arping', '-q', '-U', '-c', '1', '-I', this.dev, this.markerAddress]);
      await printed;
      this.child.kill('SIGINT');
    }
    await exited(this.child);
    return summarize(this.stdout);
  }

  /** Stops tcpdump without looking at the packets (teardown). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await exited(this.child);
  }
}

export function summarize(tcpdumpOutput: string): CaptureSummary {
  const packets = tcpdumpOutput
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(classify);
  const bySpi = new Map<number, number>();
  for (const p of packets) if (p.spi !== undefined) bySpi.set(p.spi, (bySpi.get(p.spi) ?? 0) + 1);
  return {
    packets,
    esp: packets.filter((p) => p.kind === 'esp' || p.kind === 'udp-encap-esp').length,
    udpEncapEsp: packets.filter((p) => p.kind === 'udp-encap-esp').length,
    cleartextEcho: packets.filter((p) => p.kind === 'cleartext-echo').length,
    other: packets.filter((p) => p.kind === 'other').length,
    bySpi,
  };
}

// tcpdump -n decodes, e.g.
//   IP 192.0.2.1 > 192.0.2.2: ESP(spi=0x00001000,seq=0x1), length 120
//   IP 100.64.0.2.4500 > 192.0.2.2.4500: UDP-encap: ESP(spi=0x00002000,seq=0x1), length 120
//   IP 198.51.100.1 > 203.0.113.1: ICMP echo request, id 7, seq 0, length 64
//   IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo reply, id 7, seq 0, length 64
function classify(line: string): CapturedPacket {
  const esp = /ESP\(spi=0x([0-9a-f]+),/.exec(line);
  if (esp) return { kind: /UDP-encap/.test(line) ? 'udp-encap-esp' : 'esp', spi: Number.parseInt(esp[1] ?? '0', 16), line };
  if (/ICMP6?,? echo (request|reply)/.test(line)) return { kind: 'cleartext-echo', line };
  if (/ ARP, /.test(line)) return { kind: 'arp', line };
  return { kind: 'other', line };
}

/**
 * Captures on several namespaces while `action` runs and returns their
 * summaries in the same order. If the action throws, the captures are
 * killed (no stray tcpdump keeps a namespace alive) and the error rethrown.
 */
export async function captureDuring(
  namespaces: string[],
  action: () => Promise<void>,
  options: CaptureOptions = {},
): Promise<CaptureSummary[]> {
  const captures: Capture[] = [];
  try {
    for (const ns of namespaces) captures.push(await Capture.start(ns, options));
    await action();
  } catch (error) {
    await Promise.all(captures.map((c) => c.kill()));
    throw error;
  }
  return Promise.all(captures.map((c) => c.stop()));
}
