// Everything the kernel needs to carry one negotiated CHILD SA, as plain
// data: produced by the child-create task, turned into kernel operations by
// kernel-plan.ts, applied by the executor.

import type { XfrmMark } from '../kernel/backend.js';

export interface TrafficSelector {
  /** IP protocol number, 0 = any. */
  protocol: number;
  startPort: number;
  endPort: number;
  startAddress: string;
  endAddress: string;
}

export interface ChildKeys {
  /** xfrm algorithm name (e.g. "rfc4106(gcm(aes))", "cbc(aes)") and key. */
  /** Absent for AH, which only authenticates. */
  encryption?: { xfrmName: string; key: Uint8Array; icvBits?: number };
  integrity?: { xfrmName: string; key: Uint8Array; truncBits: number };
}

export interface ChildSaParams {
  /** Local handle, unique per engine. */
  childId: number;
  connName: string;
  reqid: number;
  protocol: 'esp' | 'ah';
  mode: 'tunnel' | 'transport';
  localAddress: string;
  remoteAddress: string;
  /** NAT-T: UDP-encapsulated ESP between these ports. */
  encap?: { localPort: number; remotePort: number };
  spiIn: number;
  spiOut: number;
  /** Keys for traffic we receive (peer -> us) and send. */
  inbound: ChildKeys;
  outbound: ChildKeys;
  esn: boolean;
  replayWindow: number;
  localTs: TrafficSelector[];
  remoteTs: TrafficSelector[];
  /** Install a forward policy too (gateway routing for remote subnets). */
  forward: boolean;
  proposal: string;
  /** Kernel limits: seconds from `lifetime`, bytes and packets from `lifebytes` / `lifepackets`. */
  lifetime?: ChildLifetime;
  /** mark_in/mark_out and if_id_in/if_id_out: what the kernel SAs and policies carry. */
  tags?: XfrmTags;
}

/** A CHILD SA's kernel lifetime: soft limits raise a rekey, hard ones end the SA. */
export interface ChildLifetime {
  softSeconds?: number;
  hardSeconds?: number;
  softBytes?: number;
  hardBytes?: number;
  softPackets?: number;
  hardPackets?: number;
}

/**
 * The conn's XFRM marks and interface IDs (route-based tunnels): the
 * inbound SA and the in/fwd policies carry the `In` ones, the outbound SA
 * and the out policy the `Out` ones. The kernel matches SAs and policies on
 * them, so every lookup of ours (reserved SPI, delete) names them too.
 */
export interface XfrmTags {
  markIn?: XfrmMark;
  markOut?: XfrmMark;
  ifIdIn?: number;
  ifIdOut?: number;
}

/** The kernel fields of one direction's tags, absent ones left out. */
export function tagsFor(tags: XfrmTags | undefined, dir: 'in' | 'out'): { mark?: XfrmMark; ifId?: number } {
  const mark = dir === 'in' ? tags?.markIn : tags?.markOut;
  const ifId = dir === 'in' ? tags?.ifIdIn : tags?.ifIdOut;
  return { ...(mark ? { mark } : {}), ...(ifId !== undefined ? { ifId } : {}) };
}
