// The seam between the daemon shell (control socket, CLI, signals, process
// lifecycle) and the IKE core. The daemon only ever talks to an Engine; the
// IKE core (src/ike/) provides the real one, tests may provide their own.
// Everything crossing this seam is plain JSON-able data.

export interface StatusChildSa {
  name: string;
  reqid: number;
  state: string; // INSTALLED, REKEYING, DELETING, ...
  mode: 'tunnel' | 'transport';
  protocol: 'esp' | 'ah';
  encap: boolean; // UDP-encapsulated (NAT-T)
  spiIn: string; // hex, 8 digits
  spiOut: string;
  proposal: string; // e.g. "AES_GCM_16_256/NO_EXT_SEQ"
  localTs: string[]; // e.g. ["198.51.100.0/24"]
  remoteTs: string[];
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  installedAt: string; // ISO time
  rekeyAt?: string;
  expiresAt?: string;
}

export interface StatusIkeSa {
  name: string; // conn name
  uniqueId: number;
  state: string; // CONNECTING, ESTABLISHED, REKEYING, DELETING, ...
  initiator: boolean;
  localAddress: string; // "192.0.2.1[500]"
  remoteAddress: string;
  localId: string;
  remoteId: string;
  spiI: string; // hex, 16 digits
  spiR: string;
  proposal: string; // e.g. "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519"
  natLocal: boolean; // we are behind a NAT
  natRemote: boolean; // the peer is behind a NAT
  establishedAt?: string;
  rekeyAt?: string;
  children: StatusChildSa[];
}

export interface StatusConn {
  name: string;
  auto: string;
  local: string;
  remote: string;
  localSubnets: string[];
  remoteSubnets: string[];
  mode: 'tunnel' | 'transport';
  auth: string; // e.g. "psk", "pubkey"
  /**
   * Present while trap policies for the conn are in the kernel (state
   * ROUTED): `route` for auto=route / `ipsec route`, `hold` after
   * dpdaction=hold or closeaction=hold; `reqid` links them to the kernel.
   */
  trap?: { reason: 'route' | 'hold'; reqid: number };
}

export interface StatusSnapshot {
  daemon: { pid: number; startedAt: string; version: string; listening: string[] };
  conns: StatusConn[];
  ikeSas: StatusIkeSa[];
  /** Dropped datagrams by reason (malformed, unknown-spi, bad-icv, ...). */
  drops: Record<string, number>;
  /** Admission of new IKE_SA_INIT requests under load (IKE engines only). */
  ikeSaInit?: StatusInitLoad;
}

/** Half-open IKE SAs, COOKIE mode and the COOKIE secret (docs/hardening.md). */
export interface StatusInitLoad {
  halfOpen: number;
  /** ddos-ike-threshold: half-open SAs from which a COOKIE is required. */
  cookieThreshold: number;
  /** max-halfopen-ike: half-open SAs at which new IKE_SA_INIT requests are dropped. */
  halfOpenLimit: number;
  cookieMode: boolean;
  cookieSecretVersion: number;
  /** cookie-secret-lifetime in milliseconds. */
  cookieSecretLifetimeMs: number;
  /** IKE_SA_INIT requests that created a responder SA (the only ones that cost a DH computation). */
  responderSas: number;
}

export interface UpResult {
  ok: boolean;
  /** One line that says exactly what failed, e.g. which proposals mismatched. */
  error?: string;
  ikeSa?: StatusIkeSa;
}

/** Answer of `ipsec route` / `ipsec unroute`. */
export interface RouteResult {
  ok: boolean;
  /** Why the trap could not be installed or removed. */
  error?: string;
}

export interface ReloadReport {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface Engine {
  /** Apply a (re)loaded configuration; conns with auto=start/route act on it. */
  load(config: unknown, secrets: unknown): Promise<ReloadReport>;
  /** Replace the secrets (PSKs, private keys) for later authentications; no SA is touched. */
  reloadSecrets?(secrets: unknown): Promise<void>;
  /** Bring a conn up; resolves once its first CHILD SA is installed or it failed. */
  up(conn: string): Promise<UpResult>;
  /** Delete the conn's SAs with the peer and in the kernel. */
  down(conn: string): Promise<void>;
  /** Install the conn's trap policies: its first packet starts the negotiation. */
  route?(conn: string): Promise<RouteResult>;
  /** Remove the conn's trap policies (established SAs stay). */
  unroute?(conn: string): Promise<RouteResult>;
  /**
   * Start rekeying the conn's established CHILD SAs (or, with ike, its IKE
   * SAs) now, as their rekey timers would; resolves with how many rekeys
   * were started once their requests are sent. Throws for an unknown conn.
   */
  rekey?(conn: string, options: { ike: boolean }): Promise<number>;
  status(conn?: string): StatusSnapshot;
  /**
   * status() with byte/packet counters read fresh from the kernel; `ipsec
   * status` uses it when the engine has it (status() alone may show the
   * counters of the last refresh).
   */
  statusWithCounters?(conn?: string): Promise<StatusSnapshot>;
  /** Delete every SA with its peer, remove all nodeswan kernel state. */
  shutdown(): Promise<void>;
}
