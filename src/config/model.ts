// The resolved configuration model: plain data with every default applied
// and no ipsec.conf syntax left, so the IKE, kernel and daemon layers never
// see keywords, and a YAML file can produce the very same objects.
//
// Durations are in seconds. Proposal sets use IANA transform IDs:
//   { protocol: 'ike'|'esp'|'ah', strict, proposals: [{ encr: [{id, keyLength?}],
//     prf: [id], integ: [id], ke: [id], esn: [id] }] }
// (see src/config/proposals.ts for the defaults used when ike=/esp= are absent).
import { type ProposalSet } from './proposals.js';

export type { ProposalSet, Proposal, EncrTransform } from './proposals.js';

/** Where a conn end is. `defaultroute` is resolved to an address when the daemon starts. */
export type HostSpec =
  /** `resolvedFrom`: the host name the daemon resolved to this address at load. */
  | { kind: 'address'; address: string; family: 4 | 6; resolvedFrom?: string }
  | { kind: 'hostname'; name: string }
  | { kind: 'any'; family?: 4 | 6 }
  | { kind: 'defaultroute' }
  | { kind: 'group'; name: string }
  | { kind: 'opportunistic' };

/** One traffic selector: a CIDR (or `dynamic`: the end's own address) plus protocol/port. */
export interface TrafficSelector {
  /** 'a.b.c.d/n' or 'x::/n'; absent when dynamic. */
  cidr?: string;
  dynamic?: boolean;
  /** Libreswan virtual-private shorthand (vhost:/vnet:), kept as written. */
  virtual?: string;
  family?: 4 | 6;
  /** IP protocol number, 0 = any. */
  protocol: number;
  port?: { from: number; to: number };
}

export type SourceIp =
  | { kind: 'config'; family?: 4 | 6 }
  | { kind: 'address'; address: string; family: 4 | 6 }
  | { kind: 'pool'; cidr: string; family: 4 | 6 }
  | { kind: 'range'; from: string; to: string; family: 4 | 6 }
  | { kind: 'named-pool'; name: string };

export interface AuthRound {
  /** pubkey, rsa, ecdsa, psk, eap, xauth, null, never, ... */
  method: string;
  /** The full spec as configured, e.g. 'eap-mschapv2', 'pubkey-sha384'. */
  spec: string;
  id?: string;
  cert?: string;
  ca?: string;
  groups?: string;
}

export interface EndModel {
  host: HostSpec;
  id?: string;
  subnets: TrafficSelector[];
  sourceIps: SourceIp[];
  dns: string[];
  ikePort: number;
  auth: AuthRound[];
  cert?: string;
  sigkey?: string;
  ca?: string;
  sendCert: 'never' | 'ifasked' | 'always';
  updown?: string;
  firewall: boolean;
  hostAccess: boolean;
  allowAny: boolean;
  username?: string;
}

export interface Mark {
  value: number;
  mask: number;
  /** %unique: a fresh value per CHILD SA, chosen at run time. */
  unique?: boolean;
}

export interface ConnModel {
  name: string;
  /** Where the conn header is, for messages at run time. */
  source: { file: string; line: number };
  keyExchange: 'ikev1' | 'ikev2';
  mode: 'tunnel' | 'transport' | 'transport_proxy' | 'passthrough' | 'drop' | 'reject';
  auto: 'ignore' | 'add' | 'route' | 'start';
  local: EndModel;
  remote: EndModel;
  ike: ProposalSet;
  /** CHILD SA proposals: ESP, or AH when ah= or phase2=ah is set. */
  child: ProposalSet;
  ikeLifetime: number;
  lifetime: number;
  rekeyMargin: number;
  rekeyFuzz: number;
  lifeBytes: number;
  marginBytes: number;
  lifePackets: number;
  marginPackets: number;
  /** 0 = retry forever. */
  keyingTries: number;
  /** retransmit-interval in ms; 0 = not set. */
  retransmitInterval: number;
  /** retransmit-timeout in seconds; 0 = not set. */
  retransmitTimeout: number;
  /** retransmit-limit in seconds: cap of one wait; 0 = not set. */
  retransmitLimit: number;
  rekey: boolean;
  reauth: boolean;
  dpdDelay: number;
  dpdTimeout: number;
  dpdAction: 'none' | 'clear' | 'hold' | 'restart';
  closeAction: 'none' | 'clear' | 'hold' | 'restart';
  inactivity: number;
  mobike: boolean;
  fragmentation: 'yes' | 'no' | 'accept' | 'force';
  forceEncaps: boolean;
  /** Libreswan encapsulation=no: never UDP-encapsulate (no NAT-D sent, a detected NAT is ignored). */
  neverEncaps: boolean;
  compress: boolean;
  installPolicy: boolean;
  aggressive: boolean;
  pfs: boolean;
  reqid: number;
  replayWindow: number;
  markIn?: Mark;
  markOut?: Mark;
  ifIdIn?: number;
  ifIdOut?: number;
  eapIdentity?: string;
  aaaIdentity?: string;
  xauthIdentity?: string;
}

export interface CaModel {
  name: string;
  auto: 'ignore' | 'add';
  cacert?: string;
  crlUris: string[];
  ocspUris: string[];
  certUriBase?: string;
}

export interface SetupModel {
  uniqueIds: 'yes' | 'no' | 'never' | 'replace' | 'keep';
  cacheCrls: boolean;
  strictCrlPolicy: 'yes' | 'no' | 'ifuri';
  /** ddos-ike-threshold: half-open IKE SAs from which a COOKIE is required. */
  ddosIkeThreshold: number;
  /** max-halfopen-ike: half-open IKE SAs at which new IKE_SA_INIT requests are dropped. */
  maxHalfOpenIke: number;
  /** cookie-secret-lifetime in seconds. */
  cookieSecretLifetime: number;
}

export interface ConfigModel {
  setup: SetupModel;
  conns: ConnModel[];
  cas: CaModel[];
}

// ------------------------------------------------------------ defaults
// Where strongSwan and Libreswan disagree nodeswan follows strongSwan.
export const DEFAULTS = {
  keyExchange: 'ikev2',
  mode: 'tunnel',
  auto: 'ignore',
  ikeLifetime: 3 * 3600,
  lifetime: 3600,
  rekeyMargin: 9 * 60,
  rekeyFuzz: 100,
  keyingTries: 3,
  dpdDelay: 30,
  dpdTimeout: 150,
  dpdAction: 'none',
  closeAction: 'none',
  mobike: true,
  fragmentation: 'yes',
  replayWindow: 32,
  ikePort: 500,
  authby: 'pubkey',
} as const;

export function defaultSetup(): SetupModel {
  return { uniqueIds: 'yes', cacheCrls: false, strictCrlPolicy: 'no', ddosIkeThreshold: 1000, maxHalfOpenIke: 5000, cookieSecretLifetime: 120 };
}
