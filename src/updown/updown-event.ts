// What the IKE core tells the outside world when a CHILD SA's traffic
// starts or stops flowing through the kernel (and when a conn's trap
// policies are routed or unrouted): plain data, no keys. The executor
// produces these; an UpdownPort runs the admin's `leftupdown` script or
// the `leftfirewall` rules for them, off the IKE path.

export type UpdownPhase = 'up' | 'down' | 'route' | 'unroute';

/** One traffic selector as negotiated (inclusive ranges, 0 = any protocol). */
export interface UpdownSelector {
  protocol: number;
  startPort: number;
  endPort: number;
  startAddress: string;
  endAddress: string;
}

export interface UpdownMark {
  value: number;
  mask: number;
}

export interface UpdownEvent {
  phase: UpdownPhase;
  conn: string;
  /** `leftupdown=` as configured (a command line, run through /bin/sh -c). */
  script?: string;
  /** `leftfirewall=yes`: nodeswan adds the accept rules itself. */
  firewall: boolean;
  /** `lefthostaccess=yes`: the firewall rules also admit the gateway itself. */
  hostAccess: boolean;
  reqid: number;
  protocol: 'esp' | 'ah';
  mode: 'tunnel' | 'transport';
  /** The IKE SA's id (PLUTO_UNIQUEID); absent for route/unroute. */
  uniqueId?: number;
  /** Our and the peer's IKE addresses. */
  me: string;
  peer: string;
  /** IKE identities as text; the configured ones for route/unroute. */
  myId: string;
  peerId: string;
  myTs: UpdownSelector[];
  peerTs: UpdownSelector[];
  /** UDP-encapsulated ESP (NAT-T): the peer's UDP port. */
  udpEncap?: number;
  markIn?: UpdownMark;
  markOut?: UpdownMark;
  /** The peer's EAP/XAuth identity, when it authenticated with one. */
  xauthId?: string;
}

/**
 * Where updown events go. `notify` must return at once (the IKE SA's
 * mailbox is waiting); the work happens later, in order per conn.
 */
export interface UpdownPort {
  notify(event: UpdownEvent): void;
  /** Resolves once everything notified so far has run (or timed out). */
  idle(): Promise<void>;
  /** Drain (bounded), then remove whatever firewall state is left. */
  close(): Promise<void>;
}

/** Does this conn want updown events at all? */
export function wantsUpdown(settings: { script?: string; firewall: boolean }): boolean {
  return settings.script !== undefined || settings.firewall;
}
