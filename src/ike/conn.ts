// The IKE core's view of one connection: plain data with every default
// already applied. The daemon builds it from the config model
// (conn-from-config.ts); tests build it directly.

import type { XfrmTags } from './child-params.js';
import type { Identity } from './identity.js';
import type { Proposal } from './proposal.js';
import type { RetransmitPolicy } from './retransmit-policy.js';
import type { TrafficSelector } from './traffic-selectors.js';

export type AuthMethodName = 'psk' | 'pubkey';

export interface IkeConn {
  name: string;
  /** Our address; '%any' = whatever address the peer reached us on. */
  localAddress: string;
  /** The peer: an address, a CIDR the peer must be in, or '%any'. */
  remoteAddress: string;
  /** The host name left=/right= gave, when the address was resolved from one (reload compares names). */
  localHostName?: string;
  remoteHostName?: string;
  localPort?: number;
  remotePort?: number;
  localId: Identity;
  remoteId: Identity;
  localAuth: AuthMethodName;
  /** leftcert: a path (relative to ipsec.d/certs) or the certificate itself. */
  localCert?: string | Uint8Array;
  /** rightcert: the only certificate the peer may present. */
  remoteCert?: string | Uint8Array;
  /**
   * rightca=: the peer's certificate chain must pass through this CA (its
   * subject DN); 'same': through the CA that issued our own certificate
   * (leftca=, or our certificate's chain).
   */
  remoteCa?: Identity | 'same';
  /** leftca=: our own CA, what rightca=%same means when given. */
  localCa?: Identity;
  /** mark_in/mark_out, if_id_in/if_id_out: carried by the CHILD SAs' kernel SAs and policies. */
  tags?: XfrmTags;
  /** leftsendcert; default ifasked: sent when the peer asked with CERTREQ. */
  sendCert?: 'never' | 'ifasked' | 'always';
  remoteAuth: AuthMethodName;
  /** `ike=` proposals, in preference order (defaults appended unless `!`). */
  ikeProposals: Proposal[];
  /** `esp=`/`ah=` proposals for CHILD SAs. */
  childProposals: Proposal[];
  /** leftsubnet (+ leftprotoport); empty = our address. */
  localTs: TrafficSelector[];
  /** rightsubnet (+ rightprotoport); empty = the peer's address. */
  remoteTs: TrafficSelector[];
  /** leftprotoport / rightprotoport, applied to host selectors too. */
  localProtoPort?: { protocol: number; port?: number };
  remoteProtoPort?: { protocol: number; port?: number };
  mode: 'tunnel' | 'transport';
  /** 0 = forever (`keyingtries=%forever`). */
  keyingTries: number;
  retransmit?: RetransmitPolicy;
  lifetimeSeconds?: number;
  /** inactivity=: close a CHILD SA without traffic for this long (0/absent: never). */
  inactivitySeconds?: number;
  /** lifebytes / marginbytes, lifepackets / marginpackets: kernel volume limits of each CHILD SA (0: none). */
  lifeBytes?: number;
  marginBytes?: number;
  lifePackets?: number;
  marginPackets?: number;
  ikeLifetimeSeconds?: number;
  /** reauth=yes: at ikelifetime - margin a new IKE SA (with its CHILD SA) replaces this one, make-before-break. */
  reauth?: boolean;
  /** rekey=no: never start a rekey (answer the peer's; hard expiry still ends the SA). */
  rekey?: boolean;
  /** rekeymargin (seconds before expiry to rekey); default 540. */
  rekeyMarginSeconds?: number;
  /** rekeyfuzz (percent of the margin to start earlier at random); default 100. */
  rekeyFuzzPercent?: number;
  /** dpddelay: seconds between liveness checks when no traffic came in; default 30. */
  dpdDelaySeconds?: number;
  /** dpdtimeout: seconds a liveness check may go unanswered; default 150. */
  dpdTimeoutSeconds?: number;
  /** dpdaction; default none (no liveness checks). */
  dpdAction?: 'none' | 'clear' | 'hold' | 'restart';
  /** closeaction: what follows when the peer deletes the conn's CHILD SA (or IKE SA); default none = clear. */
  closeAction?: 'none' | 'clear' | 'hold' | 'restart';
  replayWindow?: number;
  auto?: 'ignore' | 'add' | 'route' | 'start';
  /** forceencaps=yes / encapsulation=yes: UDP-encapsulate ESP even without a NAT. */
  forceEncaps?: boolean;
  /** encapsulation=no (Libreswan): never UDP-encapsulate; no NAT-D is sent and a detected NAT is only logged. */
  neverEncaps?: boolean;
  /** fragmentation= (RFC 7383); default yes. */
  fragmentation?: 'yes' | 'no' | 'accept' | 'force';
  /** leftupdown: command line run (via /bin/sh -c) when a CHILD SA goes up or down. */
  updown?: string;
  /** leftfirewall=yes: nodeswan adds nftables accept rules for the CHILD SA's traffic. */
  firewall?: boolean;
  /** lefthostaccess=yes: those rules also admit traffic to the gateway itself. */
  hostAccess?: boolean;
}
