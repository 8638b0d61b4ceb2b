// Installs a bidirectional ESP connection between two hosts with fixed
// (random, test-chosen) keys, through the KernelBackend only: no IKE. This
// is what a daemon would program after negotiating a CHILD_SA, minus the
// negotiation: two SAs per host (in/out), an in and an out policy, and in
// tunnel mode a route to the remote inside network with the local inside
// address as source.

import { randomBytes } from 'node:crypto';
import type { KernelBackend, PolicyHandle, SaAlgorithms, SaId, SaSpec, TrafficSelector, UdpEncap, XfrmMode } from '../../src/kernel/backend.js';

export interface EspSuite {
  /** Label used in test names. */
  name: string;
  /** Fresh keys of the right sizes (the same object is given to both ends). */
  algorithms(): SaAlgorithms;
}

export const espSuites: EspSuite[] = [
  {
    name: 'AES-GCM-16 (256)',
    algorithms: () => ({ aead: { name: 'rfc4106(gcm(aes))', key: randomBytes(32 + 4), icvBits: 128 } }),
  },
  {
    name: 'ChaCha20-Poly1305',
    algorithms: () => ({ aead: { name: 'rfc7539esp(chacha20,poly1305)', key: randomBytes(32 + 4), icvBits: 128 } }),
  },
  {
    name: 'AES-CBC (128) + HMAC-SHA2-256-128',
    algorithms: () => ({
      crypt: { name: 'cbc(aes)', key: randomBytes(16) },
      auth: { name: 'hmac(sha256)', key: randomBytes(32), truncBits: 128 },
    }),
  },
];

/** One side of the connection as the backend sees it. */
export interface EspEndpoint {
  backend: KernelBackend;
  /** Outer (tunnel / transport) address of this host as configured on it. */
  address: string;
  /** The address the other side sees (differs behind a NAT). */
  publicAddress?: string;
  /** Traffic this side protects: its own network (tunnel) or address (transport). */
  subnet: string;
  /** Source for the route to the remote inside network (tunnel mode). */
  insideAddress?: string;
  /** Route next hop and device towards the peer (tunnel mode). */
  routeVia?: string;
  routeDev?: string;
  /** UDP encapsulation ports: own port, and the port the peer sees (behind a NAT). */
  encapPort?: number;
  publicEncapPort?: number;
}

export interface EspHostSas {
  out: SaId;
  in: SaId;
  /** The full specs as installed (keys included), e.g. for updateSa. */
  outSpec: SaSpec;
  inSpec: SaSpec;
  policies: PolicyHandle[];
}

export interface EspPair {
  /** Each host's SAs as it names them (behind a NAT the two views differ). */
  left: EspHostSas;
  right: EspHostSas;
}

export interface EspPairOptions {
  mode: XfrmMode;
  suite: EspSuite;
  reqid: number;
  /** SPIs for left->right and right->left. */
  spis: [number, number];
  /** Adds routes to the remote inside network (tunnel mode). */
  routes?: boolean;
}

export async function installEspPair(left: EspEndpoint, right: EspEndpoint, options: EspPairOptions): Promise<EspPair> {
  const { mode, reqid } = options;
  const [spiLr, spiRl] = options.spis;
  const keysLr = options.suite.algorithms();
  const keysRl = options.suite.algorithms();
  const seen = (e: EspEndpoint): string => e.publicAddress ?? e.address;
  const udp = left.encapPort !== undefined && right.encapPort !== undefined;
  const L = left.encapPort ?? 0;
  const R = right.encapPort ?? 0;
  const leftSeenPort = left.publicEncapPort ?? L;
  const rightSeenPort = right.publicEncapPort ?? R;

  // Each host names the SA with the addresses (and ports) it sees.
  const sa = async (host: EspEndpoint, src: string, dst: string, spi: number, algorithms: SaAlgorithms, encap: UdpEncap): Promise<SaSpec> => {
    const spec: SaSpec = { src, dst, spi, proto: 'esp', mode, reqid, algorithms, replayWindow: 32, ...(udp ? { encap } : {}) };
    await host.backend.addSa(spec);
    return spec;
  };
  const leftOut = await sa(left, left.address, seen(right), spiLr, keysLr, { srcPort: L, dstPort: rightSeenPort });
  const leftIn = await sa(left, seen(right), left.address, spiRl, keysRl, { srcPort: rightSeenPort, dstPort: L });
  const rightIn = await sa(right, seen(left), right.address, spiLr, keysLr, { srcPort: leftSeenPort, dstPort: R });
  const rightOut = await sa(right, right.address, seen(left), spiRl, keysRl, { srcPort: R, dstPort: leftSeenPort });

  const policies = async (host: EspEndpoint, local: string, remote: string, localSubnet: string, remoteSubnet: string) => {
    const out: TrafficSelector = { src: localSubnet, dst: remoteSubnet };
    const inbound: TrafficSelector = { src: remoteSubnet, dst: localSubnet };
    const template = (src: string, dst: string) => ({ proto: 'esp' as const, mode, reqid, ...(mode === 'tunnel' ? { src, dst } : {}) });
    const handles = [
      await host.backend.addPolicy({ dir: 'out', selector: out, priority: 1000, templates: [template(local, remote)] }),
      await host.backend.addPolicy({ dir: 'in', selector: inbound, priority: 1000, templates: [template(remote, local)] }),
    ];
    if (mode === 'tunnel' && options.routes && host.insideAddress) {
      await host.backend.addRoute({
        dst: remoteSubnet,
        src: host.insideAddress,
        ...(host.routeDev ? { dev: host.routeDev } : {}),
        ...(host.routeVia ? { via: host.routeVia } : {}),
      });
    }
    return handles;
  };
  return {
    left: {
      out: { dst: seen(right), spi: spiLr, proto: 'esp' },
      in: { dst: left.address, spi: spiRl, proto: 'esp' },
      outSpec: leftOut,
      inSpec: leftIn,
      policies: await policies(left, left.address, seen(right), left.subnet, right.subnet),
    },
    right: {
      out: { dst: seen(left), spi: spiRl, proto: 'esp' },
      in: { dst: right.address, spi: spiLr, proto: 'esp' },
      outSpec: rightOut,
      inSpec: rightIn,
      policies: await policies(right, right.address, seen(left), right.subnet, left.subnet),
    },
  };
}
