// KernelBackend: the narrow interface between the IKE daemon and the
// kernel's IPsec data plane (SAD, SPD, NAT-T socket options, routes, events).
//
// Plain data in, plain data out: addresses are strings ("192.0.2.1",
// "2001:db8::1"), prefixes are CIDR strings ("198.51.100.0/24"; a bare
// address means a host prefix), keys are Uint8Array, counters and lifetimes
// are numbers (undefined = no limit). Implementations: ./xfrm/ (Linux xfrm
// netlink) and ./memory/ (in-memory twin for tests); both obey the contract
// in test/kernel/contract.ts.
//
// Ownership: every SA nodeswan installs carries a reqid from the backend's
// owned range, and every policy carries the range's base as its owner mark
// (see OwnershipOptions); flush() and the list methods see only those, so
// other programs' state stays untouched and a restarted daemon finds its
// predecessor's state in the kernel itself, without a state file.
import type { Socket } from 'node:dgram';

export type XfrmProto = 'esp' | 'ah';
export type XfrmMode = 'transport' | 'tunnel';
export type PolicyDir = 'in' | 'out' | 'fwd';
export type PolicyAction = 'allow' | 'block';

/** A mark/mask pair (XFRMA_MARK); a packet matches if (mark & mask) == value. */
export interface XfrmMark {
  value: number;
  mask: number;
}

/** Traffic selector; both prefixes must be of the same family. */
export interface TrafficSelector {
  /** Source prefix, e.g. "198.51.100.0/24" or "2001:db8:1::/48". */
  src: string;
  /** Destination prefix. */
  dst: string;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp); absent = any. */
  proto?: number;
  /** Exact source port (for ICMP: the type); absent = any. */
  srcPort?: number;
  /** Exact destination port (for ICMP: the code); absent = any. */
  dstPort?: number;
}

/** Lifetime limits; absent fields are unlimited. */
export interface LifetimeConfig {
  softBytes?: number;
  hardBytes?: number;
  softPackets?: number;
  hardPackets?: number;
  /** Seconds after the SA was added. */
  softAddSeconds?: number;
  hardAddSeconds?: number;
  /** Seconds after the SA was first used. */
  softUseSeconds?: number;
  hardUseSeconds?: number;
}

/** What the kernel counted for an SA. Times are Unix seconds (0 = never). */
export interface LifetimeCurrent {
  bytes: number;
  packets: number;
  addTime: number;
  useTime: number;
}

/**
 * Algorithms as the kernel names them (the crypto registry maps IANA IDs to
 * these). Either aead alone, or crypt and/or auth. Keys are the raw key
 * material including any salt/nonce the kernel expects appended (for
 * rfc4106(gcm(aes)) the 4-byte salt, for rfc7539esp(chacha20,poly1305) the
 * 4-byte nonce).
 */
export interface SaAlgorithms {
  aead?: { name: string; key: Uint8Array; icvBits: number };
  crypt?: { name: string; key: Uint8Array };
  auth?: { name: string; key: Uint8Array; truncBits: number };
}

/** Algorithm names without keys, as reported back by querySa. */
export interface SaAlgorithmNames {
  aead?: { name: string; keyBits: number; icvBits: number };
  crypt?: { name: string; keyBits: number };
  auth?: { name: string; keyBits: number; truncBits: number };
}

/** UDP encapsulation of ESP (RFC 3948), e.g. ports 4500 <-> 4500. */
export interface UdpEncap {
  srcPort: number;
  dstPort: number;
}

/** Identifies one SA: (destination, SPI, protocol[, mark]). */
export interface SaId {
  dst: string;
  /** SPI as an unsigned 32-bit number (host order). */
  spi: number;
  proto: XfrmProto;
  mark?: XfrmMark;
}

export interface SaSpec extends SaId {
  src: string;
  mode: XfrmMode;
  reqid: number;
  algorithms: SaAlgorithms;
  encap?: UdpEncap;
  /** Extended sequence numbers (RFC 4303); uses XFRMA_REPLAY_ESN_VAL. */
  esn?: boolean;
  /** Anti-replay window in packets (0 = off). With esn up to 4096, else up to 32. */
  replayWindow?: number;
  lifetime?: LifetimeConfig;
  ifId?: number;
  /** Restricts the SA to this traffic (mostly for transport mode). */
  selector?: TrafficSelector;
}

/** An SA as read back from the kernel. Keys are never returned. */
export interface SaState extends SaId {
  src: string;
  mode: XfrmMode;
  reqid: number;
  algorithms: SaAlgorithmNames;
  encap?: UdpEncap;
  esn: boolean;
  replayWindow: number;
  lifetime: LifetimeConfig;
  current: LifetimeCurrent;
  stats: { replayWindow: number; replay: number; integrityFailed: number };
  ifId?: number;
  /** The SA's selector; match-everything of the SA's family if none was given. */
  selector: TrafficSelector;
  /** True while the SA only holds an SPI reserved by allocSpi. */
  larval: boolean;
}

export interface AllocSpiRequest {
  src: string;
  dst: string;
  proto: XfrmProto;
  /** Inclusive SPI range; defaults 0x100..0xffffffff (below 256 is reserved). */
  min?: number;
  max?: number;
  /** Reqid (from the owned range) stored on the reserved state. */
  reqid: number;
  mode?: XfrmMode;
  mark?: XfrmMark;
  ifId?: number;
}

/** One SA template of an IPsec policy. */
export interface PolicyTemplate {
  proto: XfrmProto;
  mode: XfrmMode;
  reqid: number;
  /** Tunnel endpoints; required in tunnel mode, absent in transport mode. */
  src?: string;
  dst?: string;
  /** SPI to bind to (0/absent = any SA with this reqid). */
  spi?: number;
  /** If true, packets without this transform are also accepted (inbound). */
  optional?: boolean;
}

export interface PolicySpec {
  dir: PolicyDir;
  selector: TrafficSelector;
  /** Lower value wins. */
  priority: number;
  /** Default 'allow'. */
  action?: PolicyAction;
  /** No templates = a plain pass (allow) or drop (block) policy. */
  templates: PolicyTemplate[];
  mark?: XfrmMark;
  ifId?: number;
  lifetime?: LifetimeConfig;
}

/** Returned by addPolicy/updatePolicy; deletes by kernel index in O(1). */
export interface PolicyHandle {
  dir: PolicyDir;
  index: number;
  mark?: XfrmMark;
  ifId?: number;
}

/** Delete by handle, or by (dir, selector, mark, ifId). */
export type PolicyRef =
  | PolicyHandle
  | { dir: PolicyDir; selector: TrafficSelector; mark?: XfrmMark; ifId?: number };

export interface PolicyState extends PolicySpec {
  index: number;
  action: PolicyAction;
}

/** A route to the remote inside network for site-to-site tunnels. */
export interface RouteSpec {
  /** Remote inside network, e.g. "203.0.113.0/24". */
  dst: string;
  /** Local inside address used as preferred source, e.g. "198.51.100.1". */
  src: string;
  /** Outgoing interface name (the one towards the peer). */
  dev?: string;
  /** Next hop towards the peer, if not on-link. */
  via?: string;
}

export type KernelEvent =
  | {
      /** Traffic hit a trap policy: negotiate a CHILD_SA. */
      type: 'acquire';
      reqid: number;
      policyIndex: number;
      policyDir: PolicyDir;
      /** Tunnel endpoints (or the packet addresses in transport mode). */
      src: string;
      dst: string;
      proto: XfrmProto;
      selector: TrafficSelector;
      /** The packet's own addresses (narrowing hint). */
      packet: TrafficSelector;
      /** Kernel sequence number of this acquire. */
      seq: number;
    }
  | {
      /** An SA reached its soft (rekey) or hard (deleted) lifetime. */
      type: 'expire';
      hard: boolean;
      sa: SaId & { src: string; reqid: number };
    }
  | {
      /** The NAT mapping of an inbound UDP-encapsulated SA changed. */
      type: 'mapping';
      sa: SaId;
      reqid: number;
      oldSrc: string;
      oldSrcPort: number;
      newSrc: string;
      newSrcPort: number;
    }
  | {
      /**
       * The kernel dropped events because they arrived faster than they
       * were read (receive queue overflow). Some EXPIRE/ACQUIRE may be
       * missing: re-read state (listSas, querySa) to catch up.
       */
      type: 'lost';
    };

export type KernelEventListener = (event: KernelEvent) => void;

export interface OwnershipOptions {
  /** First reqid nodeswan may use; default 0x4e530000 ("NS"). */
  reqidBase?: number;
  /** Size of the owned reqid range; default 0x10000. */
  reqidCount?: number;
  /** Routing table for site-to-site routes; default 4500. */
  routeTable?: number;
  /** Priority of the `ip rule` that consults routeTable; default 220. */
  routeRulePriority?: number;
}

export interface KernelBackend {
  /** The owned reqid range: [base, base + count). */
  readonly reqidRange: { base: number; count: number };

  /** Reserve an SPI (XFRM_MSG_ALLOCSPI); later complete it with updateSa. */
  allocSpi(req: AllocSpiRequest): Promise<number>;
  /** Install a new SA; EEXIST if (dst, spi, proto) exists (also a reserved SPI). */
  addSa(sa: SaSpec): Promise<void>;
  /** Replace an existing SA (or complete a reserved SPI); ESRCH if none. */
  updateSa(sa: SaSpec): Promise<void>;
  /** Read an SA with its counters; ESRCH if none. */
  querySa(id: SaId): Promise<SaState>;
  /** Delete an SA; ESRCH if none. */
  deleteSa(id: SaId): Promise<void>;
  /** All SAs in the owned reqid range. */
  listSas(): Promise<SaState[]>;

  /** Install a policy; EEXIST if one with the same dir/selector/mark/ifId exists. */
  addPolicy(policy: PolicySpec): Promise<PolicyHandle>;
  /** Install or replace the policy with the same dir/selector/mark/ifId. */
  updatePolicy(policy: PolicySpec): Promise<PolicyHandle>;
  /** Delete a policy; ENOENT if none. */
  deletePolicy(ref: PolicyRef): Promise<void>;
  /** Policies owned by nodeswan (carrying this backend's owner mark). */
  listPolicies(): Promise<PolicyState[]>;

  /**
   * Remove every SA and policy nodeswan owns (and its routes and route
   * rule); never touches anything else. Returns what was removed.
   */
  flush(): Promise<{ sas: number; policies: number; routes: number }>;

  /**
   * Exempt a bound IKE socket from IPsec policies in both directions
   * (IP_XFRM_POLICY / IPV6_XFRM_POLICY with a per-socket allow policy).
   */
  bypassSocket(socket: Socket): Promise<void>;
  /** Make the kernel decapsulate ESP-in-UDP on this bound socket (UDP_ENCAP_ESPINUDP). */
  enableUdpEncap(socket: Socket): Promise<void>;

  /** Add (or replace) a route in nodeswan's routing table. */
  addRoute(route: RouteSpec): Promise<void>;
  /** Delete a route from nodeswan's routing table; ESRCH/ENOENT if none. */
  deleteRoute(route: RouteSpec): Promise<void>;

  /**
   * Subscribe to ACQUIRE / EXPIRE / MAPPING events for owned reqids (and
   * 'lost' when the kernel had to drop events).
   * Returns an unsubscribe function. Resolves once the subscription is live.
   */
  subscribe(listener: KernelEventListener): Promise<() => void>;

  /** Release sockets; installed state stays in the kernel. */
  close(): Promise<void>;
}

/** Stable error for every kernel failure; `errno` is the kernel's name. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    /** Stable code, e.g. 'KERNEL_EEXIST', 'KERNEL_NO_ESP'. */
    readonly code: string,
    /** errno name as the kernel reported it ('EEXIST', 'ESRCH', ...). */
    readonly errno: string,
    message: string,
  ) {
    super(message);
  }
}

/** True for "no such SA / policy / route" (the kernel uses ESRCH and ENOENT). */
export function isNotFound(err: unknown): boolean {
  return err instanceof KernelError && (err.errno === 'ESRCH' || err.errno === 'ENOENT');
}

/** True for "already exists" (EEXIST), also when a backend's error arrives as plain data. */
export function isAlreadyExists(err: unknown): boolean {
  const e = err as { errno?: unknown; message?: unknown };
  return e?.errno === 'EEXIST' || (typeof e?.message === 'string' && e.message.includes('EEXIST'));
}

export const DEFAULT_REQID_BASE = 0x4e530000;
export const DEFAULT_REQID_COUNT = 0x10000;
export const DEFAULT_ROUTE_TABLE = 4500;
export const DEFAULT_ROUTE_RULE_PRIORITY = 220;
